"""The slow-query log: a statement at or over ``db_slow_query_ms`` is a warning on
``framework_m.sql.slow``, whichever path ran it (SQLAlchemy's engine, the read lanes, the
driver-level writes), with its SQL and duration but never its values."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sample_doctypes import Customer, registry
from sqlalchemy import text

from framework_m_core.interfaces.repository import FilterSpec
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

SLOW = "framework_m.sql.slow"
SECRET = "Ada Secret-Lovelace"


@asynccontextmanager
async def _runtime(database_url: str, slow_ms: float) -> AsyncIterator[DatabaseRuntime]:
    settings = Settings(database_url=database_url, db_slow_query_ms=slow_ms)
    runtime = DatabaseRuntime.build(settings, registry())
    await runtime.sync_schema()
    try:
        yield runtime
    finally:
        await runtime.dispose()


async def _work(db: DatabaseRuntime) -> None:
    """A write, a read by id, a list, a count and a delete: every path a request takes."""
    repo = db.repositories.get(Customer)
    async with db.unit_of_work() as uow:
        saved = await repo.save(uow.session, Customer(customer_name=SECRET))
        await uow.commit()
    async with db.unit_of_work(write_behind=True) as uow:
        saved.customer_name = f"{SECRET} II"
        saved = await repo.save(uow.session, saved)
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await repo.get(uow.session, saved.id) is not None
    page = await repo.list_records([FilterSpec(field="customer_name", value=f"{SECRET} II")])
    assert len(page.items) == 1
    assert await repo.count_records([FilterSpec(field="id", value=saved.id)], limit=5) == 1
    async with db.unit_of_work() as uow:
        await repo.delete(uow.session, saved.id)
        await uow.commit()


def _slow_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == SLOW]


def _containing(records: list[logging.LogRecord], part: str) -> list[str]:
    return [str(r.__dict__["sql"]) for r in records if part in str(r.__dict__["sql"])]


async def test_every_path_reports_a_statement_over_the_threshold(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=SLOW)
    # A threshold every statement passes: what is logged is what ran, on each path.
    async with _runtime(database_url, slow_ms=1e-6) as db:
        caplog.clear()
        await _work(db)
    records = _slow_records(caplog)
    table = db.tables.get_mapping("Customer").table.name
    assert _containing(records, f"INSERT INTO {table} "), "the insert"
    # (on PostgreSQL inside the joined statement that also writes the event)
    assert _containing(records, f"UPDATE {table} SET"), "the write-behind update"
    assert _containing(records, f"DELETE FROM {table} "), "the delete"
    reads = [s for s in _containing(records, f"FROM {table}") if s.startswith("SELECT")]
    assert len(reads) >= 3, "the point read, the list and the count"
    for record in records:
        assert record.levelno == logging.WARNING
        assert record.__dict__["duration_ms"] >= 0
        # The values never reach the log: they may be personal data or secrets.
        assert "Lovelace" not in record.getMessage()


@pytest.mark.parametrize("slow_ms", [0, 60_000])
async def test_nothing_is_reported_under_the_threshold_or_when_off(
    database_url: str, caplog: pytest.LogCaptureFixture, slow_ms: float
) -> None:
    caplog.set_level(logging.WARNING, logger=SLOW)
    async with _runtime(database_url, slow_ms=slow_ms) as db:
        await _work(db)
    assert _slow_records(caplog) == []


async def test_a_really_slow_statement_is_reported_with_its_duration(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=SLOW)
    if database_url.startswith("sqlite"):
        slow = (
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) "
            "SELECT count(*) FROM c"
        )
    else:
        slow = "SELECT count(*) FROM (SELECT pg_sleep(0.15)) AS s"
    async with _runtime(database_url, slow_ms=50) as db:
        engine = db.connections.get_engine()
        async with engine.connect() as conn:
            caplog.clear()
            await conn.execute(text("SELECT 1"))
            assert _slow_records(caplog) == [], "a fast statement is not reported"
            await conn.execute(text(slow))
    records = _slow_records(caplog)
    assert [r.__dict__["sql"] for r in records] == [slow]
    assert records[0].__dict__["duration_ms"] >= 50
    assert "Slow query (" in records[0].getMessage()
