"""A write-behind unit of work that writes one document and its event: on PostgreSQL both go
as ONE statement at the COMMIT (no BEGIN, no COMMIT round trip). Errors are the same as
statement by statement on either database: a duplicate name, a stale version, nothing kept;
a write that touched no row has no event."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sample_doctypes import Customer
from sqlalchemy import event, select

from framework_m_core.exceptions import DuplicateNameError, VersionConflictError
from framework_m_standard.adapters.db.runtime import DatabaseRuntime


@contextmanager
def _statements(db: DatabaseRuntime) -> Iterator[list[str]]:
    """Every statement sent, through SQLAlchemy or past it."""
    seen: list[str] = []

    def traced(sql: str, *_: Any) -> None:
        seen.append(" ".join(sql.split()))

    def executed(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        traced(sql)

    engine = db.connections.get_engine().sync_engine
    db.connections.trace.listeners.append(traced)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        db.connections.trace.listeners.remove(traced)
        event.remove(engine, "before_cursor_execute", executed)


def _postgres(db: DatabaseRuntime) -> bool:
    return db.connections.get_engine().dialect.name == "postgresql"


async def _events(db: DatabaseRuntime) -> list[tuple[str, str]]:
    table = db.outbox.table
    async with db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(table.c.payload).order_by(table.c.created_at, table.c.id)
        )
        return [(p["type"], p["name"]) for p in rows.scalars()]


async def test_a_document_and_its_event_go_as_one_statement(db: DatabaseRuntime) -> None:
    customers = db.repositories.get(Customer)
    with _statements(db) as sent:
        async with db.unit_of_work(write_behind=True) as uow:
            saved = await customers.save(uow.session, Customer(customer_name="one"))
            await uow.commit()
    if _postgres(db):
        assert len(sent) == 1
        assert sent[0].startswith("WITH w AS (INSERT INTO customer ")
        assert "INSERT INTO framework_outbox" in sent[0]
    with _statements(db) as sent:
        async with db.unit_of_work(write_behind=True) as uow:
            saved.email = "one@example.com"
            await customers.save(uow.session, saved)
            await uow.commit()
    if _postgres(db):
        assert len(sent) == 1
        assert sent[0].startswith("WITH w AS (UPDATE customer SET ")
    async with db.unit_of_work() as uow:
        stored = await customers.get(uow.session, saved.id)
    assert stored is not None
    assert (stored.email, stored.version) == ("one@example.com", 1)
    assert await _events(db) == [("doc.created", "one"), ("doc.updated", "one")]


async def test_errors_of_one_statement_are_the_usual_ones_and_leave_nothing(
    db: DatabaseRuntime,
) -> None:
    customers = db.repositories.get(Customer)
    async with db.unit_of_work(write_behind=True) as uow:
        taken = await customers.save(uow.session, Customer(customer_name="taken"))
        await uow.commit()
    with pytest.raises(DuplicateNameError):
        async with db.unit_of_work(write_behind=True) as uow:
            await customers.save(uow.session, Customer(customer_name="taken"))
            await uow.commit()
    stale = taken.model_copy(update={"email": "late@example.com"})
    async with db.unit_of_work(write_behind=True) as uow:
        taken.email = "first@example.com"
        await customers.save(uow.session, taken)
        await uow.commit()
    with pytest.raises(VersionConflictError):
        async with db.unit_of_work(write_behind=True) as uow:
            await customers.save(uow.session, stale)
            await uow.commit()
    async with db.unit_of_work() as uow:
        stored = await customers.get(uow.session, taken.id)
        count = await customers.count(uow.session)
    assert stored is not None
    assert (stored.email, stored.version, count) == ("first@example.com", 1, 1)
    assert await _events(db) == [("doc.created", "taken"), ("doc.updated", "taken")]


class Consumer:
    """A relay stand-in: takes every hand-off."""

    target = "events"

    def __init__(self) -> None:
        self.handed: list[list[dict[str, Any]]] = []

    def accepts(self) -> bool:
        return True

    def hand_off(self, rows: list[dict[str, Any]]) -> None:
        self.handed.append(rows)

    def wake(self) -> None:
        pass


async def test_a_write_that_touched_no_row_has_no_event(db: DatabaseRuntime) -> None:
    customers = db.repositories.get(Customer)
    consumer = Consumer()
    remove = db.unit_of_work.set_outbox_consumer(consumer)
    try:
        async with db.unit_of_work(write_behind=True) as uow:
            gone = await customers.save(uow.session, Customer(customer_name="gone"))
            await uow.commit()
        async with db.unit_of_work(write_behind=True) as uow:
            await customers.delete(uow.session, gone.id)
            await uow.commit()
        # Deleted again by someone who loaded the document before: no row, no second event.
        async with db.unit_of_work(write_behind=True) as uow:
            await customers.delete_loaded(uow.session, gone)
            await uow.commit()
    finally:
        remove()
    kinds = [[row["payload"]["type"] for row in rows] for rows in consumer.handed]
    expected = [("doc.created", "gone"), ("doc.deleted", "gone")]
    if _postgres(db):
        assert kinds == [["doc.created"], ["doc.deleted"]]  # nothing for a relay to publish
        assert await _events(db) == expected
    else:  # statement by statement: the no-op delete's event row is written and handed
        assert kinds == [["doc.created"], ["doc.deleted"], ["doc.deleted"]]
        assert await _events(db) == [*expected, ("doc.deleted", "gone")]
