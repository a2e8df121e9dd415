"""Reads of one row by id on SQLite run in the caller's thread (no hop to an aiosqlite thread);
a busy database sends them down the threaded lane, which waits for the lock. Other reads, and
PostgreSQL, are unchanged: the same rows either way."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from sample_doctypes import Customer, registry

from framework_m_core.domain.ids import uuid7
from framework_m_core.interfaces.repository import FilterSpec
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.read_lane import SqliteReadLane
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.db.statements import CompiledQuery


async def _saved(db: DatabaseRuntime, *names: str) -> list[Customer]:
    repo = db.repositories.get(Customer)
    saved = []
    async with db.unit_of_work() as uow:
        for name in names:
            saved.append(await repo.save(uow.session, Customer(customer_name=name)))
        await uow.commit()
    return saved


async def test_reads_by_id_give_the_same_rows_as_other_reads(db: DatabaseRuntime) -> None:
    first, second = await _saved(db, "Ada", "Grace")
    repo = db.repositories.get(Customer)
    async with db.unit_of_work() as uow:
        by_id = await repo.get(uow.session, first.id)
        missing = await repo.get(uow.session, uuid7())
        page = await repo.list(uow.session, [FilterSpec(field="id", value=second.id)], limit=1)
    assert by_id is not None
    assert by_id.customer_name == "Ada"
    assert not by_id.is_new()
    assert missing is None
    assert [c.customer_name for c in page.items] == ["Grace"]
    records = await repo.list_records([FilterSpec(field="id", value=first.id)], limit=1)
    everyone = await repo.list_records([FilterSpec(field="customer_name", value="Ada")])
    assert records.items == everyone.items
    assert json.loads(json.dumps(records.items[0], default=str))["customer_name"] == "Ada"
    assert await repo.count_records([FilterSpec(field="id", value=first.id)], limit=10) == 1


async def test_sqlite_reads_by_id_stay_in_this_thread(tmp_path: Path) -> None:
    # SQLite only, so its own database rather than the fixture that also runs on PostgreSQL
    # (where CI counts a skip as a failure).
    db = DatabaseRuntime.build(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'lane.db'}"), registry()
    )
    await db.sync_schema()
    try:
        await _reads_by_id_stay_in_this_thread(db)
    finally:
        await db.dispose()


async def _reads_by_id_stay_in_this_thread(db: DatabaseRuntime) -> None:
    lane, _ = db.connections.read_lane()
    assert isinstance(lane, SqliteReadLane)
    (saved,) = await _saved(db, "Ada")
    repo = db.repositories.get(Customer)
    fresh = SqliteReadLane(lane._path)
    db.connections._lanes["default"] = fresh  # a lane nobody has used yet
    try:
        async with db.unit_of_work() as uow:
            assert (await repo.get(uow.session, saved.id)) is not None
        assert fresh._connections == []  # no aiosqlite connection was needed
        await repo.list_records([FilterSpec(field="customer_name", value="Ada")])
        assert fresh._connections  # a page of a list still goes to the lane's threads
    finally:
        db.connections._lanes["default"] = lane
        await fresh.close()


async def test_a_busy_sqlite_database_sends_them_to_the_threaded_lane(tmp_path: Path) -> None:
    # A database in rollback-journal mode, where a writer's exclusive lock keeps readers out
    # (in WAL mode they would read the last commit); the lane is the one the engine builds.
    path = tmp_path / "busy.db"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    setup.execute("INSERT INTO t VALUES (1, 'before')")
    setup.close()
    lane = SqliteReadLane(str(path), size=1, timeout=10)
    query = CompiledQuery(
        sql="SELECT v FROM t WHERE id = ?",
        names=("p0",),
        binders=(None,),
        results=(None,),
        keys=("v",),
        fixed={},
    )
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("UPDATE t SET v = 'after' WHERE id = 1")

    async def release() -> None:
        await asyncio.sleep(0.3)
        blocker.execute("COMMIT")
        blocker.close()

    releasing = asyncio.create_task(release())
    try:
        rows = await lane.fetch(query, [1], point=True)  # busy inline: waits in a thread
        await releasing
        assert [tuple(r) for r in rows] == [("after",)]
        assert lane._connections  # the threaded lane served it
        assert [tuple(r) for r in await lane.fetch(query, [1], point=True)] == [("after",)]
    finally:
        await lane.close()
