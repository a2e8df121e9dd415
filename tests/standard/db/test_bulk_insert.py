"""Bulk saves: every row and its outbox entry, atomically (COPY on PostgreSQL, executemany on
SQLite), with database errors mapped as for a single insert."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sample_doctypes import Customer, Invoice, InvoiceItem, Priority
from sqlalchemy import func, select

from framework_m_core.domain.outbox import OutboxEntry, unpack
from framework_m_core.exceptions import DuplicateNameError
from framework_m_standard.adapters.db.bulk_copy import COPY_THRESHOLD
from framework_m_standard.adapters.db.outbox_repository import EVENTS_PER_ROW
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

MANY = COPY_THRESHOLD * 3


async def rows_in(db: DatabaseRuntime, doctype: type[Customer] | type[InvoiceItem]) -> int:
    table = db.tables.get_table(doctype.get_doctype_name())
    async with db.unit_of_work() as uow:
        return int((await uow.session.execute(select(func.count()).select_from(table))).scalar())


async def outbox_rows(db: DatabaseRuntime) -> list[OutboxEntry]:
    async with db.unit_of_work() as uow:
        return await db.outbox.get_pending(uow.session, limit=10_000)


async def outbox_ids(db: DatabaseRuntime) -> set[str]:
    """The documents the outbox has events for."""
    return {
        payload["id"] for row in await outbox_rows(db) for _, payload in unpack(row.id, row.payload)
    }


async def test_many_documents_children_and_events_in_one_go(db: DatabaseRuntime) -> None:
    customers = [Customer(customer_name=f"c{i:04d}", email=f"c{i}@x.org") for i in range(MANY)]
    async with db.unit_of_work() as uow:
        await db.repositories.get(Customer).bulk_save(uow.session, customers)
        invoices = [
            Invoice(
                title=f"inv {i}",
                customer=customers[i].id,
                amount=Decimal("10.25"),
                tags=["bulk"],
                extra={"i": i},
                priority=Priority.HIGH,
                items=[InvoiceItem(item="bolt", qty=2, rate=Decimal("1.5"))],
            )
            for i in range(MANY)
        ]
        await db.repositories.get(Invoice).bulk_save(uow.session, invoices)
        await uow.commit()
    assert await rows_in(db, Customer) == MANY
    assert await rows_in(db, InvoiceItem) == MANY
    events = await outbox_ids(db)
    assert {str(c.id) for c in customers} <= events
    assert {str(i.id) for i in invoices} <= events
    async with db.unit_of_work() as uow:
        stored = await db.repositories.get(Invoice).get(uow.session, invoices[7].id)
    assert stored is not None
    assert (stored.amount, stored.tags, stored.extra) == (Decimal("10.25"), ["bulk"], {"i": 7})
    assert stored.priority is Priority.HIGH
    assert [(line.item, line.qty, line.rate) for line in stored.items] == [
        ("bolt", 2, Decimal("1.5"))
    ]
    assert stored.name is not None


async def test_a_bulk_saves_events_share_outbox_rows(db: DatabaseRuntime) -> None:
    """EVENTS_PER_ROW events to a row, in save order, each with an id of its own."""
    count = EVENTS_PER_ROW * 2 + 1
    customers = [Customer(customer_name=f"e{i:05d}") for i in range(count)]
    async with db.unit_of_work() as uow:
        await db.repositories.get(Customer).bulk_save(uow.session, customers)
        await uow.commit()
    rows = await outbox_rows(db)
    assert [len(row.payload["batch"]["rows"]) for row in rows] == [EVENTS_PER_ROW] * 2 + [1]
    events = [pair for row in rows for pair in unpack(row.id, row.payload)]
    assert [payload["id"] for _, payload in events] == [str(c.id) for c in customers]
    assert [payload["name"] for _, payload in events] == [c.name for c in customers]
    assert {(p["type"], p["doctype"], p["user"]) for _, p in events} == {
        ("doc.created", "Customer", None)
    }
    # Each event carries the document as a single save's event does.
    last = customers[-1]
    assert events[-1][1]["data"] == last.model_dump(mode="json", by_alias=True)
    event_ids = {id for id, _ in events}
    assert len(event_ids) == count
    assert not event_ids & {c.id for c in customers}
    # A single save still writes a plain row, the event itself.
    async with db.unit_of_work() as uow:
        await db.repositories.get(Customer).save(uow.session, Customer(customer_name="one"))
        await uow.commit()
    assert (await outbox_rows(db))[-1].payload["data"]["customer_name"] == "one"


async def test_a_bulk_save_updates_the_stored_documents_and_inserts_the_new(
    db: DatabaseRuntime,
) -> None:
    repository = db.repositories.get(Customer)
    async with db.unit_of_work() as uow:
        stored = [
            await repository.save(uow.session, Customer(customer_name=f"s{i}")) for i in range(2)
        ]
        await uow.commit()
    for customer in stored:
        customer.email = f"{customer.customer_name}@example.org"
    new = [Customer(customer_name=f"n{i:03d}") for i in range(COPY_THRESHOLD + 6)]
    before = len(await outbox_rows(db))
    async with db.unit_of_work() as uow:
        saved = await repository.bulk_save(uow.session, [stored[0], *new, stored[1]])
        await uow.commit()
    assert saved[0] is stored[0]
    assert saved[-1] is stored[1]
    async with db.unit_of_work() as uow:
        reloaded = [await repository.get(uow.session, c.id) for c in stored]
    assert [(c.email, c.version) for c in reloaded if c is not None] == [
        ("s0@example.org", 1),
        ("s1@example.org", 1),
    ]
    assert await rows_in(db, Customer) == 2 + len(new)
    assert all(not c.is_new() for c in saved)
    # One plain row per update, one batch row for the inserts.
    rows = (await outbox_rows(db))[before:]
    events = [p for row in rows for _, p in unpack(row.id, row.payload)]
    assert sorted((p["type"], p["id"]) for p in events) == sorted(
        [("doc.updated", str(c.id)) for c in stored] + [("doc.created", str(c.id)) for c in new]
    )
    assert len(rows) == 3


async def test_a_rolled_back_bulk_save_leaves_nothing(db: DatabaseRuntime) -> None:
    customers = [Customer(customer_name=f"r{i:04d}") for i in range(MANY)]
    async with db.unit_of_work() as uow:
        await db.repositories.get(Customer).bulk_save(uow.session, customers)
        await uow.rollback()
    assert await rows_in(db, Customer) == 0
    assert not await outbox_ids(db)


async def test_a_duplicate_in_a_bulk_save_fails_it_whole(db: DatabaseRuntime) -> None:
    customers = [Customer(customer_name=f"d{i:04d}") for i in range(MANY)]
    customers.append(Customer(customer_name="d0003"))
    with pytest.raises(DuplicateNameError):
        async with db.unit_of_work() as uow:
            await db.repositories.get(Customer).bulk_save(uow.session, customers)
            await uow.commit()
    assert await rows_in(db, Customer) == 0
    assert not await outbox_ids(db)
