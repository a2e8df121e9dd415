"""Schema sync at startup: new tables and new nullable columns, existing rows kept."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.util import await_only

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db import schema_sync
from framework_m_standard.adapters.db.runtime import DatabaseRuntime


def _build(database_url: str, *, with_priority: bool) -> DatabaseRuntime:
    if with_priority:

        class Memo(BaseDocType):
            title: str
            priority: int | None = None
            required_new: str  # reported, never added without a migration

    else:

        class Memo(BaseDocType):  # type: ignore[no-redef]
            title: str

    registry = MetaRegistry()
    registry.register_doctype(Memo)
    return DatabaseRuntime.build(Settings(database_url=database_url), registry)


async def test_sync_adds_tables_and_nullable_columns(database_url: str) -> None:
    first = _build(database_url, with_priority=False)
    second = _build(database_url, with_priority=True)
    try:
        await _check(first, second)
    finally:
        await first.dispose()
        await second.dispose()


async def _check(first: DatabaseRuntime, second: DatabaseRuntime) -> None:
    changes = (await first.sync_schema())["default"]
    assert {"memo", "framework_outbox", "framework_naming_counter"} <= set(changes.new_tables)
    Memo = first.tables.get_mapping("Memo").doctype
    async with first.unit_of_work() as uow:
        for n in range(3):
            await first.repositories.get(Memo).save(
                uow.session, Memo.model_validate({"title": f"m{n}"})
            )
        await uow.commit()
    again = (await first.sync_schema())["default"]
    assert again.empty, again

    changes = (await second.sync_schema())["default"]
    assert changes.new_tables == []
    assert changes.new_columns == [("memo", "priority")]
    assert changes.needs_migration == ["memo.required_new: new required column"]
    async with second.unit_of_work() as uow:
        rows = (
            await uow.session.execute(text("SELECT title, priority FROM memo ORDER BY title"))
        ).all()
    assert [tuple(r) for r in rows] == [("m0", None), ("m1", None), ("m2", None)]


async def test_concurrent_syncs_take_turns(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers syncing a fresh database at once: the first creates the tables; the
    second waits for it, then finds them (it used to find them missing too, and fail)."""
    first, second = (_build(database_url, with_priority=False) for _ in range(2))
    detect = schema_sync.detect_schema_changes
    looked = asyncio.Event()
    go_on = asyncio.Event()
    calls = 0

    def slow_first_look(connection: Connection, tables: Any) -> schema_sync.SchemaChanges:
        nonlocal calls
        calls += 1
        changes = detect(connection, tables)
        if calls == 1:  # the first sync holds its transaction open after looking
            looked.set()
            await_only(go_on.wait())
        return changes

    monkeypatch.setattr(schema_sync, "detect_schema_changes", slow_first_look)
    try:
        one = asyncio.create_task(first.sync_schema())
        await looked.wait()
        two = asyncio.create_task(second.sync_schema())
        await asyncio.sleep(0.3)  # long enough for the second to look, were it not waiting
        assert calls == 1, "the second sync looked while the first held the lock"
        go_on.set()
        created, found = (await one)["default"], (await two)["default"]
        assert "memo" in created.new_tables
        assert found.empty, found
    finally:
        go_on.set()
        await first.dispose()
        await second.dispose()
