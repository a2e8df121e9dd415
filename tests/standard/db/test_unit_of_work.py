"""SqlAlchemyUnitOfWork: commit, explicit rollback, rollback on exception, closed on exit."""

from __future__ import annotations

import asyncio

import pytest
from sample_doctypes import Customer, Invoice, InvoiceItem, Note
from sqlalchemy import func, select

from framework_m_core.domain.ids import uuid7
from framework_m_core.domain.mixins import DocStatus
from framework_m_core.exceptions import (
    DuplicateNameError,
    IntegrityError,
    RepositoryError,
    VersionConflictError,
)
from framework_m_core.interfaces.repository import RepositoryProtocol
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol
from framework_m_standard.adapters.db.runtime import DatabaseRuntime


async def _count(db: DatabaseRuntime) -> int:
    async with db.unit_of_work() as uow:
        return await db.repositories.get(Customer).count(uow.session)


async def test_commit_rollback_and_exception(db: DatabaseRuntime) -> None:
    repo = db.repositories.get(Customer)
    async with db.unit_of_work() as uow:
        await repo.save(uow.session, Customer(customer_name="kept"))
        await uow.commit()
        await repo.save(uow.session, Customer(customer_name="rolled back"))
        await uow.rollback()
        await repo.save(uow.session, Customer(customer_name="never committed"))
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as uow:
            await repo.save(uow.session, Customer(customer_name="failed"))
            raise RuntimeError("boom")
    async with db.unit_of_work() as uow:
        names = [c.name for c in (await repo.list(uow.session)).items]
    assert names == ["kept"]


async def test_session_only_inside_the_block(db: DatabaseRuntime) -> None:
    uow = db.unit_of_work()
    with pytest.raises(RepositoryError):
        _ = uow.session
    async with uow:
        connection = uow.session
    assert connection.closed
    with pytest.raises(RepositoryError):
        _ = uow.session


async def test_lifecycle_hooks_and_events_for_update_delete_submit_cancel(
    db: DatabaseRuntime,
) -> None:
    customer = Customer(customer_name="Hooked")
    note = Note(body="x")
    async with db.unit_of_work() as uow:
        await db.repositories.get(Customer).save(uow.session, customer)
        invoice = await db.repositories.get(Invoice).save(
            uow.session, Invoice(title="t", customer=customer.id, items=[InvoiceItem(item="a")])
        )
        await db.repositories.get(Note).save(uow.session, note)
        note.body = "changed without a version check"
        note.version = 99  # concurrency = "none": the stored version is not compared
        await db.repositories.get(Note).save(uow.session, note)
        await db.repositories.get(Invoice).submit(uow.session, invoice)
        await db.repositories.get(Invoice).cancel(uow.session, invoice)
        await db.repositories.get(Note).delete(uow.session, note.id)
        await uow.commit()
    async with db.unit_of_work() as uow:
        pending = await db.outbox.get_pending(uow.session, limit=50)
        stored = await db.repositories.get(Invoice).get(uow.session, invoice.id)
    assert stored is not None
    assert stored.docstatus == DocStatus.CANCELLED
    assert [i.item for i in stored.items] == ["a"]
    events = [(e.payload["type"], e.payload["doctype"]) for e in pending]
    assert events == [
        ("doc.created", "Customer"),
        ("doc.created", "Invoice"),
        ("doc.created", "Note"),
        ("doc.updated", "Note"),
        ("doc.submitted", "Invoice"),
        ("doc.cancelled", "Invoice"),
        ("doc.deleted", "Note"),
    ]
    assert all(
        e.target == "events" and e.status == "pending" and e.retry_count == 0 for e in pending
    )


async def test_outbox_mark_failed(db: DatabaseRuntime) -> None:
    async with db.unit_of_work() as uow:
        await db.repositories.get(Customer).save(uow.session, Customer(customer_name="c"))
        await uow.commit()
    async with db.unit_of_work() as uow:
        (entry,) = await db.outbox.get_pending(uow.session)
        await db.outbox.mark_failed(uow.session, entry.id, "receiver down")
        await uow.commit()
    async with db.unit_of_work() as uow:
        row = (
            await uow.session.execute(
                select(db.outbox.table).where(db.outbox.table.c.id == entry.id)
            )
        ).one()
        assert await db.outbox.get_pending(uow.session) == []
        total = (
            await uow.session.execute(select(func.count()).select_from(db.outbox.table))
        ).scalar_one()
    assert (row.status, row.error_message, row.retry_count, total) == (
        "failed",
        "receiver down",
        1,
        1,
    )


def test_adapters_satisfy_their_ports(db: DatabaseRuntime) -> None:
    repository: RepositoryProtocol[Customer] = db.repositories.get(Customer)
    factory: UnitOfWorkFactoryProtocol = db.unit_of_work
    assert repository is not None
    assert factory is not None


async def test_sqlite_writers_take_turns_and_nesting_does_not_wait(
    db: DatabaseRuntime,
) -> None:
    """On SQLite one unit of work writes at a time, from its first write to its commit (no
    busy-wait sleeps); elsewhere they overlap. Reads before the first write do not wait, and a
    unit of work opened inside another in the same task goes ahead."""
    sqlite = db.connections.get_engine().dialect.name == "sqlite"
    reading = writing = 0
    reads_overlapped = writes_overlapped = False

    async def work(n: int) -> None:
        nonlocal reading, writing, reads_overlapped, writes_overlapped
        async with db.unit_of_work() as uow:
            reading += 1
            await uow.session.execute(select(func.count()).select_from(db.outbox.table))
            await asyncio.sleep(0.01)
            reads_overlapped = reads_overlapped or reading > 1
            reading -= 1
            await db.repositories.get(Customer).save(uow.session, Customer(customer_name=f"t{n}"))
            writing += 1
            writes_overlapped = writes_overlapped or writing > 1
            async with db.unit_of_work() as nested:
                await nested.session.execute(select(func.count()).select_from(db.outbox.table))
            await asyncio.sleep(0.01)
            writing -= 1
            await uow.commit()

    await asyncio.wait_for(asyncio.gather(*(work(n) for n in range(8))), timeout=30)
    assert reads_overlapped
    assert writes_overlapped is not sqlite
    async with db.unit_of_work() as uow:
        assert await db.repositories.get(Customer).count(uow.session) == 8


async def test_a_write_after_commit_takes_the_writer_lock_again(db: DatabaseRuntime) -> None:
    """Committing ends the transaction and lets other writers in; the same unit of work can
    write again, and what it did not commit is rolled back at exit."""
    repo = db.repositories.get(Customer)
    async with db.unit_of_work() as uow:
        await repo.save(uow.session, Customer(customer_name="first"))
        await uow.commit()
        clean_after_commit = uow.session.clean
        # Another task writes now; it would wait forever if the lock were still held.
        await asyncio.wait_for(_save_in_task(db, "other"), timeout=10)
        await repo.save(uow.session, Customer(customer_name="second, not committed"))
        clean_after_write = uow.session.clean
    assert (clean_after_commit, clean_after_write) == (True, False)
    async with db.unit_of_work() as uow:
        names = sorted(str(c.name) for c in (await repo.list(uow.session)).items)
    assert names == ["first", "other"]


async def _save_in_task(db: DatabaseRuntime, name: str) -> None:
    async def save() -> None:
        async with db.unit_of_work() as uow:
            await db.repositories.get(Customer).save(uow.session, Customer(customer_name=name))
            await uow.commit()

    await asyncio.create_task(save())


async def test_driver_level_write_errors_are_mapped_and_leave_nothing(db: DatabaseRuntime) -> None:
    """A unique violation on the direct driver path is the same 409-type error as through
    SQLAlchemy, and the unit of work's earlier writes roll back with it."""
    repo = db.repositories.get(Customer)
    async with db.unit_of_work() as uow:
        await repo.save(uow.session, Customer(customer_name="taken"))
        await uow.commit()
    with pytest.raises(DuplicateNameError):
        async with db.unit_of_work() as uow:
            await repo.save(uow.session, Customer(customer_name="fresh"))
            await repo.save(uow.session, Customer(customer_name="taken"))
            await uow.commit()
    async with db.unit_of_work() as uow:
        names = sorted(str(c.name) for c in (await repo.list(uow.session)).items)
    assert names == ["taken"]


async def test_outbox_entries_commit_with_their_document_and_are_visible_inside(
    db: DatabaseRuntime,
) -> None:
    """On SQLite an entry may wait to go with the COMMIT; a read in the same unit of work
    still sees it, and a unit of work that does not commit leaves neither row."""
    repo = db.repositories.get(Customer)
    async with db.unit_of_work() as uow:
        await repo.save(uow.session, Customer(customer_name="seen"))
        inside = await db.outbox.get_pending(uow.session)
        await uow.commit()
    assert [e.payload["name"] for e in inside] == ["seen"]
    async with db.unit_of_work() as uow:
        await repo.save(uow.session, Customer(customer_name="dropped"))
    async with db.unit_of_work() as uow:
        await repo.save(uow.session, Customer(customer_name="kept"))
        await uow.commit()
    async with db.unit_of_work() as uow:
        pending = await db.outbox.get_pending(uow.session)
        names = sorted(str(c.name) for c in (await repo.list(uow.session)).items)
    assert [e.payload["name"] for e in pending] == ["seen", "kept"]
    assert names == ["kept", "seen"]


async def test_write_behind_errors_surface_at_commit_and_leave_nothing(
    db: DatabaseRuntime,
) -> None:
    """A write-behind unit of work may send its writes with the COMMIT: a duplicate name, a
    stale version and a missing linked document still raise their own errors (at commit at
    the latest), and none of the unit of work's rows (document, children, outbox) is kept."""
    customers, invoices = db.repositories.get(Customer), db.repositories.get(Invoice)
    async with db.unit_of_work() as uow:
        taken = await customers.save(uow.session, Customer(customer_name="taken"))
        await uow.commit()
    with pytest.raises(DuplicateNameError):
        async with db.unit_of_work(write_behind=True) as uow:
            await customers.save(uow.session, Customer(customer_name="fresh"))
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
    with pytest.raises(IntegrityError):
        async with db.unit_of_work(write_behind=True) as uow:
            ghost = InvoiceItem(item="x", supplier=uuid7())
            await invoices.save(uow.session, Invoice(title="t", customer=taken.id, items=[ghost]))
            await uow.commit()
    async with db.unit_of_work() as uow:
        names = sorted(str(c.name) for c in (await customers.list(uow.session)).items)
        stored = await customers.get(uow.session, taken.id)
        invoice_count = await invoices.count(uow.session)
        outbox = [e.payload["type"] for e in await db.outbox.get_pending(uow.session)]
    assert names == ["taken"]
    assert stored is not None
    assert stored.email == "first@example.com"
    assert invoice_count == 0
    assert outbox == ["doc.created", "doc.updated"]


async def test_write_behind_reads_see_their_own_writes(db: DatabaseRuntime) -> None:
    """Held-back writes go out before any read of the same unit of work."""
    customers = db.repositories.get(Customer)
    async with db.unit_of_work(write_behind=True) as uow:
        saved = await customers.save(uow.session, Customer(customer_name="mine"))
        seen = await customers.get(uow.session, saved.id)
        saved.email = "changed@example.com"
        await customers.save(uow.session, saved)
        raw = await uow.session.execute(select(customers.table.c.email))
        await uow.commit()
    assert seen is not None
    assert seen.name == "mine"
    assert raw.scalars().all() == ["changed@example.com"]


async def test_sqlite_writers_share_one_kept_connection(db: DatabaseRuntime) -> None:
    """On SQLite one writer goes at a time, so consecutive writers reuse one connection instead
    of a pool checkout each; a unit of work nested in a writer gets a connection of its own."""
    sqlite = db.connections.get_engine().dialect.name == "sqlite"
    customers = db.repositories.get(Customer)
    used: list[object] = []
    for n in range(3):
        async with db.unit_of_work(write_behind=n % 2 == 0) as uow:
            await customers.save(uow.session, Customer(customer_name=f"c{n}"))
            await uow.commit()
            nested_connection = None
            await customers.save(uow.session, Customer(customer_name=f"d{n}"))
            used.append(await uow.session.connection())
            async with db.unit_of_work() as nested:
                await nested.session.execute(select(func.count()).select_from(db.outbox.table))
                nested_connection = await nested.session.connection(write=False)
            assert nested_connection is not used[-1]
            await uow.commit()
    # PostgreSQL takes concurrent writers, each on a pooled connection of its own.
    assert (used[0] is used[1] is used[2]) is sqlite
    assert (db.connections.writer_lock() is None) is not sqlite
    assert await _count(db) == 6
