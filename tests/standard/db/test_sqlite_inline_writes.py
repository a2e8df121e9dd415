"""SQLite write-behind units of work run their few statements and the COMMIT in the event
loop's thread, under the writer lock; the WAL is checkpointed in the driver's thread every
WriterLock.CHECKPOINT_EVERY commits, never inside a COMMIT."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sample_doctypes import Customer, registry

from framework_m_core.exceptions import DuplicateNameError
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.db.writer_lock import WriterLock


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[DatabaseRuntime]:
    """SQLite only: this module's own database instead of the fixture that also runs on
    PostgreSQL (where CI counts a skip as a failure)."""
    runtime = DatabaseRuntime.build(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'writes.db'}"), registry()
    )
    await runtime.sync_schema()
    try:
        yield runtime
    finally:
        await runtime.dispose()


def _sqlite(db: DatabaseRuntime) -> None:
    if db.connections.get_engine().dialect.name != "sqlite":
        pytest.skip("SQLite's writer path only")


async def _traced(db: DatabaseRuntime) -> list[tuple[int, str]]:
    """(thread, SQL) of every statement the writers' kept connection runs from now on."""
    customers = db.repositories.get(Customer)
    async with db.unit_of_work(write_behind=True) as uow:  # makes the kept connection
        await customers.save(uow.session, Customer(customer_name="warm"))
        await uow.commit()
    lock = db.connections.writer_lock()
    assert lock is not None
    _, driver = lock._idle
    seen: list[tuple[int, str]] = []
    driver._conn.set_trace_callback(lambda sql: seen.append((threading.get_ident(), sql)))
    return seen


async def test_write_behind_commits_run_in_the_event_loops_thread(db: DatabaseRuntime) -> None:
    _sqlite(db)
    seen = await _traced(db)
    customers = db.repositories.get(Customer)
    async with db.unit_of_work(write_behind=True) as uow:
        await customers.save(uow.session, Customer(customer_name="inline"))
        await uow.commit()
    here = threading.get_ident()
    statements = [sql.split()[0].upper() for _, sql in seen]
    assert "INSERT" in statements
    assert "COMMIT" in statements
    assert {thread for thread, _ in seen} == {here}
    # An error in such a batch is the usual one and leaves nothing behind.
    with pytest.raises(DuplicateNameError):
        async with db.unit_of_work(write_behind=True) as uow:
            await customers.save(uow.session, Customer(customer_name="inline"))
            await uow.commit()
    async with db.unit_of_work() as uow:
        assert await customers.count(uow.session) == 2


async def test_the_wal_is_checkpointed_in_the_drivers_thread(
    db: DatabaseRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sqlite(db)
    monkeypatch.setattr(WriterLock, "CHECKPOINT_EVERY", 5)
    seen = await _traced(db)
    customers = db.repositories.get(Customer)
    for n in range(12):
        async with db.unit_of_work(write_behind=True) as uow:
            await customers.save(uow.session, Customer(customer_name=f"c{n}"))
            await uow.commit()
    checkpoints = [thread for thread, sql in seen if "wal_checkpoint" in sql]
    assert len(checkpoints) in (2, 3)  # every fifth commit (the warm-up one counted too)
    assert threading.get_ident() not in checkpoints
    engine = db.connections.get_engine()
    async with engine.connect() as conn:
        autocheckpoint: Any = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar()
    assert autocheckpoint == 0  # no checkpoint inside a COMMIT
