"""Outbox entries: side effects recorded in the same transaction as the document change.

A worker (the events issue) reads pending entries after commit and delivers them, so an
event exists if and only if its transaction committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from framework_m_core.domain.base_doctype import utcnow
from framework_m_core.domain.ids import uuid7

OutboxStatus = Literal["pending", "handed", "processed", "failed"]
"""``handed``: unpublished, written where a relay publishes it straight after the commit."""


class OutboxEntry(BaseModel):
    id: UUID = Field(default_factory=uuid7)
    target: str
    """Where the entry goes: ``events`` for document events, or e.g. ``api.payment_gateway``."""
    payload: dict[str, Any]
    status: OutboxStatus = "pending"
    created_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = None
    error_message: str | None = None
    retry_count: int = 0


BATCH_KEY = "batch"
"""A payload of just ``{"batch": {...}}`` is one outbox row carrying many document events of
one type, DocType and user (a bulk save's), published as one event each; see ``pack_events``
and ``unpack``."""

EventRecord = tuple[str, str | None, dict[str, Any]]
"""One document event: the document's id and name, and its data (``model_dump`` in JSON mode,
by alias)."""


def event_payload(
    kind: str, doctype: str, user: str | None, id: str, name: str | None, data: dict[str, Any]
) -> dict[str, Any]:
    """The payload of one document event, as the relay publishes it (``Event.data``)."""
    return {"type": kind, "doctype": doctype, "id": id, "name": name, "user": user, "data": data}


def pack_events(
    kind: str, doctype: str, user: str | None, events: Sequence[EventRecord], size: int
) -> list[dict[str, Any]]:
    """Outbox row payloads for ``events``, in order.

    Many events of documents that serialize alike (the same keys, ``id`` and ``name`` among
    them) go ``size`` to a row, column-wise: ``{"batch": {"type", "doctype", "user", "keys",
    "rows"}}``, each row the values of one document's data. A bulk save of 10,000 documents
    then writes 20 outbox rows instead of 10,000 and about half the JSON: keys and the event
    envelope are written once per row, not once per document. Anything else (one event, or
    documents with serializers of their own) is one plain row per event."""
    if len(events) > 1:
        keys = list(events[0][2])
        if "id" in keys and "name" in keys and all(_alike(event, keys) for event in events):
            return [
                {
                    BATCH_KEY: {
                        "type": kind,
                        "doctype": doctype,
                        "user": user,
                        "keys": keys,
                        "rows": [list(data.values()) for _, _, data in events[at : at + size]],
                    }
                }
                for at in range(0, len(events), size)
            ]
    return [event_payload(kind, doctype, user, *event) for event in events]


def _alike(event: EventRecord, keys: list[str]) -> bool:
    id, name, data = event
    return (
        type(data) is dict
        and len(data) == len(keys)
        and list(data) == keys
        and data["id"] == id
        and data["name"] == name
    )


def unpack(row_id: UUID, payload: dict[str, Any]) -> list[tuple[UUID, dict[str, Any]]]:
    """The ``(event id, event payload)`` pairs of a row, in order; ``ValueError`` if a batch
    row is malformed.

    A plain row is one event with the row's id. A batch row's events take ids derived from the
    row's: ``row_id + i`` as integers, which changes only the random low bits. They are the
    same on every publish of the row, which is what deduplication downstream keys on, and
    clash with no other id: ids of one process differ in their time or counter bits, and
    another process's id would need random bits within ``i`` of these (odds below 2^-50)."""
    if len(payload) != 1 or BATCH_KEY not in payload:
        return [(row_id, payload)]
    batch = payload[BATCH_KEY]
    if not isinstance(batch, dict):
        raise ValueError(f"'{BATCH_KEY}' must be an object")
    kind, doctype, user = batch.get("type"), batch.get("doctype"), batch.get("user")
    keys, rows = batch.get("keys"), batch.get("rows")
    if not isinstance(kind, str) or not isinstance(doctype, str):
        raise ValueError(f"'{BATCH_KEY}' needs string 'type' and 'doctype'")
    if not isinstance(keys, list) or "id" not in keys or "name" not in keys:
        raise ValueError(f"'{BATCH_KEY}' needs 'keys' naming 'id' and 'name'")
    if not isinstance(rows, list) or not all(
        isinstance(row, list) and len(row) == len(keys) for row in rows
    ):
        raise ValueError(f"'{BATCH_KEY}' needs 'rows' of one value per key")
    base = row_id.int
    events = []
    for i, row in enumerate(rows):
        data = dict(zip(keys, row, strict=True))
        payload = event_payload(kind, doctype, user, data["id"], data["name"], data)
        events.append((row_id if i == 0 else UUID(int=base + i), payload))
    return events
