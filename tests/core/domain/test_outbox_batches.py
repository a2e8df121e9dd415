"""Outbox batch rows: a bulk save's events packed column-wise into few rows, and unpacked into
the events a single save would write, with stable ids."""

from __future__ import annotations

from typing import Any

import pytest

from framework_m_core.domain.ids import uuid7
from framework_m_core.domain.outbox import (
    BATCH_KEY,
    EventRecord,
    event_payload,
    pack_events,
    unpack,
)


def _events(count: int) -> list[EventRecord]:
    records: list[EventRecord] = []
    for n in range(count):
        id = str(uuid7())
        records.append((id, f"N-{n}", {"id": id, "name": f"N-{n}", "title": f"t{n}", "qty": n}))
    return records


def _published(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [payload for row in rows for _, payload in unpack(uuid7(), row)]


def test_many_events_share_rows_and_unpack_to_what_single_saves_write() -> None:
    events = _events(1001)
    rows = pack_events("doc.created", "Note", "u1", events, 500)
    assert [len(row[BATCH_KEY]["rows"]) for row in rows] == [500, 500, 1]
    assert rows[0][BATCH_KEY]["keys"] == ["id", "name", "title", "qty"]
    single = [event_payload("doc.created", "Note", "u1", *event) for event in events]
    assert _published(rows) == single


def test_one_event_or_unlike_documents_are_plain_rows() -> None:
    (one,) = _events(1)
    assert pack_events("doc.created", "Note", None, [one], 500) == [
        event_payload("doc.created", "Note", None, *one)
    ]
    a, b = _events(2)
    odd_keys = (b[0], b[1], {"name": b[1], "id": b[0], "title": "t", "qty": 1})
    wrong_id = (str(uuid7()), b[1], b[2])
    no_name = (b[0], b[1], {"id": b[0]})
    for other in (odd_keys, wrong_id, no_name):
        rows = pack_events("doc.created", "Note", None, [a, other], 500)
        assert rows == [event_payload("doc.created", "Note", None, *e) for e in (a, other)]
        assert _published(rows) == rows


def test_unpack_gives_each_event_a_stable_id_of_its_own() -> None:
    row_id = uuid7()
    plain = event_payload("doc.created", "Note", None, "x", "x", {"id": "x", "name": "x"})
    assert unpack(row_id, plain) == [(row_id, plain)]
    (row,) = pack_events("doc.created", "Note", None, _events(300), 500)
    events = unpack(row_id, row)
    ids = [event_id for event_id, _ in events]
    assert ids[0] == row_id
    assert len(set(ids)) == 300
    assert unpack(row_id, row) == events, "a republished row keeps its event ids"
    other = unpack(uuid7(), row)
    assert not {event_id for event_id, _ in other} & set(ids)
    assert {event_id.version for event_id in ids} == {7}


def test_a_payload_with_more_than_the_batch_key_is_one_event() -> None:
    row_id = uuid7()
    payload = {"type": "custom", "doctype": "Note", BATCH_KEY: [1, 2]}
    assert unpack(row_id, payload) == [(row_id, payload)]


GOOD = {"type": "doc.created", "doctype": "Note", "user": None, "keys": ["id", "name"]}


@pytest.mark.parametrize(
    ("batch", "why"),
    [
        ([1, 2], "must be an object"),
        ({**GOOD, "type": None, "rows": []}, "string 'type'"),
        ({**GOOD, "keys": ["id"], "rows": []}, "naming 'id' and 'name'"),
        ({**GOOD, "rows": "x"}, "one value per key"),
        ({**GOOD, "rows": [["a", "a"], ["b"]]}, "one value per key"),
    ],
)
def test_a_malformed_batch_is_refused(batch: object, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        unpack(uuid7(), {BATCH_KEY: batch})
