"""The in-memory evaluation of row filters against event data, and the connection registry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.repository import FilterGroup, FilterSpec, SharedWith
from framework_m_core.services.actor import Actor
from framework_m_standard.adapters.realtime import access
from framework_m_standard.adapters.realtime.connections import (
    CLOSE_SLOW,
    Connection,
    ConnectionManager,
    doctype_key,
    document_key,
)

DOC: dict[str, Any] = {"id": "1", "owner": "u1", "team": "red", "_version": 2, "note": None}


class _NoShares:
    """Shares of a document nobody shared; the evaluator must not need them here."""

    async def allows(self, user_id: str, action: str) -> bool:
        return user_id == "shared-user" and action == "read"


async def _matches(condition: Any) -> bool:
    return await access._matches(condition, DOC, _NoShares())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (FilterSpec(field="owner", value="u1"), True),
        (FilterSpec(field="owner", value="u2"), False),
        (FilterSpec(field="team", operator="in", value=["blue", "red"]), True),
        (FilterSpec(field="team", operator="not in", value=["red"]), False),
        (FilterSpec(field="version", value=2), True),
        (FilterSpec(field="note", value=None), True),
        (FilterSpec(field="note", value="None"), False),
        (FilterSpec(field="note", operator="is", value="not set"), True),
        (FilterSpec(field="owner", operator="!=", value="u1"), False),
    ],
)
async def test_filter_specs_match_like_sql(spec: FilterSpec, expected: bool) -> None:
    assert await _matches(spec) is expected


async def test_groups_are_alternatives_and_shares_are_asked() -> None:
    mine_or_shared = FilterGroup(
        any_of=(
            (FilterSpec(field="owner", value="u9"),),
            (SharedWith(user_id="shared-user", action="read"),),
        )
    )
    assert await _matches(mine_or_shared)
    nobody = FilterGroup(
        any_of=(
            (FilterSpec(field="owner", value="u9"),),
            (SharedWith(user_id="other", action="read"),),
        )
    )
    assert not await _matches(nobody)
    assert not await _matches(FilterGroup(any_of=()))


@pytest.mark.parametrize(
    "spec",
    [
        FilterSpec(field="missing", value=1),
        FilterSpec(field="team", operator="like", value="r%"),
    ],
)
async def test_what_the_evaluator_cannot_decide_is_unknown_not_true(spec: FilterSpec) -> None:
    with pytest.raises(access._Unknown):
        await _matches(spec)


def _connection(user: str, queue_size: int = 2) -> Connection:
    return Connection(
        actor=Actor(user=UserContext(id=user, email=f"{user}@x")), queue_size=queue_size
    )


async def test_registry_by_user_and_subscription_and_slow_clients_are_dropped() -> None:
    manager = ConnectionManager()
    a, b = _connection("a"), _connection("b")
    manager.register(a)
    manager.register(b)
    manager.subscribe(a, doctype_key("Note"))
    manager.subscribe(b, document_key("Note", "1"))
    assert manager.subscribers([doctype_key("Note"), document_key("Note", "1")]) == {a, b}
    assert manager.of_user("a") == {a}
    assert manager.deliver([a], "1") == 1
    assert manager.deliver([a], "2") == 1
    assert manager.deliver([a], "3") == 0  # the queue of 2 is full: a is too slow
    assert a.close_code == CLOSE_SLOW
    assert a.closed.is_set()
    manager.unregister(a)
    assert manager.subscribers([doctype_key("Note")]) == set()
    assert manager.of_user("a") == set()
    assert len(manager) == 1
    await asyncio.sleep(0)
