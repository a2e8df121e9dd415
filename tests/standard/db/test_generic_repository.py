"""GenericRepository on SQLite and PostgreSQL: the same tests, parametrized over both."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from sample_doctypes import (
    Address,
    Customer,
    Invoice,
    InvoiceController,
    InvoiceItem,
    Note,
    Priority,
)
from sqlalchemy import event, func, select

from framework_m_core.domain.ids import uuid7
from framework_m_core.domain.mixins import DocStatus
from framework_m_core.exceptions import (
    DocumentImmutableError,
    DuplicateNameError,
    EntityNotFoundError,
    IntegrityError,
    InvalidQueryError,
    ValidationError,
    VersionConflictError,
)
from framework_m_core.interfaces.repository import FilterSpec, OrderSpec
from framework_m_standard.adapters.db.runtime import DatabaseRuntime


@contextmanager
def recorded_statements(db: DatabaseRuntime) -> Iterator[list[str]]:
    """Every SQL statement sent on the default database inside the block."""
    statements: list[str] = []
    engine = db.connections.get_engine().sync_engine

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    def traced(statement: str, params: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    # Read lanes and driver-level writes go past the engine's events.
    db.connections.trace.listeners.append(traced)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
        db.connections.trace.listeners.remove(traced)


async def _customer(db: DatabaseRuntime, name: str = "Acme") -> Customer:
    async with db.unit_of_work() as uow:
        customer = await db.repositories.get(Customer).save(
            uow.session, Customer(customer_name=name)
        )
        await uow.commit()
    return customer


def _invoice(customer: Customer, **overrides: object) -> Invoice:
    values: dict[str, object] = {
        "title": "Consulting",
        "count": 3,
        "ratio": 0.25,
        "paid": True,
        "due": date(2026, 12, 31),
        "posted_at": datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC),
        "amount": Decimal("1234.5678"),
        "reference": UUID("12345678-1234-5678-1234-567812345678"),
        "priority": Priority.HIGH,
        "channel": "phone",
        "tags": ["a", "b"],
        "extra": {"k": [1, 2], "nested": {"x": True}},
        "address": Address(street="1 Main St", city="Springfield"),
        "history": [Address(street="Old Rd", city="Shelbyville")],
        "customer": customer.id,
        "items": [
            InvoiceItem(item="Design", qty=2, rate=Decimal("10.50")),
            InvoiceItem(item="Build", qty=1, rate=Decimal("99.99"), supplier=customer.id),
            InvoiceItem(item="Test", qty=5, rate=Decimal("0.01")),
        ],
    }
    values.update(overrides)
    return Invoice.model_validate(values)


def _comparable(doc: Invoice) -> dict[str, object]:
    data = doc.model_dump()
    for item in data["items"]:
        item.pop("modified")
    data.pop("modified")
    return data


async def test_every_field_type_round_trips(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    repo = db.repositories.get(Invoice)
    original = _invoice(customer)
    async with db.unit_of_work() as uow:
        saved = await repo.save(uow.session, original)
        await uow.commit()
    assert saved.name is not None
    assert saved.name.startswith(f"INV-{datetime.now(UTC).year}-")

    async with db.unit_of_work() as uow:
        loaded = await repo.get(uow.session, saved.id)
        by_name = await repo.get_by_name(uow.session, saved.name)
    assert loaded is not None
    assert by_name is not None
    assert by_name.id == saved.id
    assert _comparable(loaded) == _comparable(saved)
    assert loaded.posted_at == datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC)
    assert loaded.amount == Decimal("1234.5678")
    assert loaded.priority is Priority.HIGH
    assert loaded.address == Address(street="1 Main St", city="Springfield")
    assert [i.item for i in loaded.items] == ["Design", "Build", "Test"]
    assert [i.idx for i in loaded.items] == [1, 2, 3]
    assert loaded.items[1].supplier == customer.id
    assert all(i.parent == saved.id and i.parentfield == "items" for i in loaded.items)
    assert loaded.customer == customer.id
    assert loaded.is_new() is False
    assert loaded.creation.tzinfo is not None


async def test_update_replaces_children_and_bumps_version(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    repo = db.repositories.get(Invoice)
    async with db.unit_of_work() as uow:
        doc = await repo.save(uow.session, _invoice(customer))
        await uow.commit()
    assert doc.version == 0
    doc.items = [doc.items[2], InvoiceItem(item="Extra", qty=9)]
    doc.title = "Changed"
    async with db.unit_of_work() as uow:
        await repo.save(uow.session, doc)
        await uow.commit()
    assert doc.version == 1
    async with db.unit_of_work() as uow:
        loaded = await repo.get(uow.session, doc.id)
        child_rows = (
            await uow.session.execute(
                select(func.count()).select_from(db.tables.get_table("InvoiceItem"))
            )
        ).scalar_one()
    assert loaded is not None
    assert loaded.title == "Changed"
    assert loaded.version == 1
    assert [(i.item, i.idx) for i in loaded.items] == [("Test", 1), ("Extra", 2)]
    assert child_rows == 2


async def test_concurrent_updates_at_the_same_version_one_wins(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    repo = db.repositories.get(Invoice)
    async with db.unit_of_work() as uow:
        doc = await repo.save(uow.session, _invoice(customer))
        await uow.commit()

    async def update(title: str) -> str:
        async with db.unit_of_work() as uow:
            copy = await repo.get(uow.session, doc.id)
            assert copy is not None
        await asyncio.sleep(0)  # both have read version 0 before either writes
        copy.title = title
        copy.version = 0
        async with db.unit_of_work() as uow:
            await repo.save(uow.session, copy)
            await asyncio.sleep(0.05)  # hold the transaction open so the writes overlap
            await uow.commit()
        return title

    results = await asyncio.gather(update("first"), update("second"), return_exceptions=True)
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert len(losers) == 1
    assert isinstance(losers[0], VersionConflictError), repr(losers[0])
    async with db.unit_of_work() as uow:
        stored = await repo.get(uow.session, doc.id)
    assert stored is not None
    assert stored.title == winners[0]
    assert stored.version == 1


async def test_stale_version_is_rejected(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    repo = db.repositories.get(Invoice)
    async with db.unit_of_work() as uow:
        doc = await repo.save(uow.session, _invoice(customer))
        await repo.save(uow.session, doc)  # version 1
        await uow.commit()
    async with db.unit_of_work() as uow:
        with pytest.raises(VersionConflictError) as info:
            await repo.save(uow.session, doc, version=0)
    assert info.value.context["actual"] == 1


async def _counts(db: DatabaseRuntime) -> tuple[int, int, int]:
    async with db.unit_of_work() as uow:
        result = []
        for table in (
            db.tables.get_table("Invoice"),
            db.tables.get_table("InvoiceItem"),
            db.outbox.table,
        ):
            result.append(
                (await uow.session.execute(select(func.count()).select_from(table))).scalar_one()
            )
    return result[0], result[1], result[2]


@pytest.mark.parametrize("title", ["please reject", "explode after insert"])
async def test_hook_failure_rolls_back_everything(db: DatabaseRuntime, title: str) -> None:
    customer = await _customer(db)
    before = await _counts(db)
    repo = db.repositories.get(Invoice)
    with pytest.raises((ValidationError, RuntimeError)):
        async with db.unit_of_work() as uow:
            await repo.save(uow.session, _invoice(customer, title=title))
            await uow.commit()
    assert await _counts(db) == before


async def test_failing_third_child_row_rolls_back_the_document(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    before = await _counts(db)
    repo = db.repositories.get(Invoice)
    items = [
        InvoiceItem(item="ok 1"),
        InvoiceItem(item="ok 2"),
        InvoiceItem(item="dangling link", supplier=uuid7()),  # no such Customer: FK violation
    ]
    with pytest.raises(IntegrityError):
        async with db.unit_of_work() as uow:
            await repo.save(uow.session, _invoice(customer, items=items))
            await uow.commit()
    assert await _counts(db) == before


async def test_hooks_run_in_order(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    InvoiceController.calls.clear()
    async with db.unit_of_work() as uow:
        doc = await db.repositories.get(Invoice).save(uow.session, _invoice(customer))
        assert InvoiceController.calls == [
            "validate",
            "before_insert",
            "before_save",
            "after_insert",
            "after_save",
        ]
        InvoiceController.calls.clear()
        await db.repositories.get(Invoice).save(uow.session, doc)
        assert InvoiceController.calls == ["validate", "before_save", "after_save"]
        await uow.commit()


async def test_outbox_entry_written_with_the_document(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    async with db.unit_of_work() as uow:
        doc = await db.repositories.get(Invoice).save(uow.session, _invoice(customer))
        await uow.commit()
    async with db.unit_of_work() as uow:
        pending = await db.outbox.get_pending(uow.session)
    events = [(e.payload["type"], e.payload["doctype"], e.payload["id"]) for e in pending]
    assert ("doc.created", "Invoice", str(doc.id)) in events
    assert ("doc.created", "Customer", str(customer.id)) in events
    created = next(e for e in pending if e.payload["id"] == str(doc.id))
    assert created.payload["data"]["title"] == "Consulting"
    async with db.unit_of_work() as uow:
        await db.outbox.mark_processed(uow.session, created.id)
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert created.id not in {e.id for e in await db.outbox.get_pending(uow.session)}


async def test_series_names_are_unique_under_200_concurrent_inserts(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    repo = db.repositories.get(Invoice)

    async def insert(n: int) -> str:
        async with db.unit_of_work() as uow:
            doc = await repo.save(uow.session, Invoice(title=f"n{n}", customer=customer.id))
            await uow.commit()
        assert doc.name is not None
        return doc.name

    names = await asyncio.gather(*(insert(n) for n in range(200)))
    assert len(set(names)) == 200
    year = datetime.now(UTC).year
    assert sorted(names) == [f"INV-{year}-{n:04d}" for n in range(1, 201)]


async def test_field_naming_and_duplicate_name(db: DatabaseRuntime) -> None:
    customer = await _customer(db, "Globex")
    assert customer.name == "Globex"
    with pytest.raises(DuplicateNameError):
        async with db.unit_of_work() as uow:
            await db.repositories.get(Customer).save(uow.session, Customer(customer_name="Globex"))


async def test_list_filters_orders_and_pages(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    repo = db.repositories.get(Invoice)
    async with db.unit_of_work() as uow:
        for n in range(7):
            await repo.save(
                uow.session, Invoice(title=f"t{n}", count=n, customer=customer.id, paid=n % 2 == 0)
            )
        await uow.commit()
        page = await repo.list(
            uow.session,
            filters=[FilterSpec(field="paid", operator="=", value=True)],
            order_by=[OrderSpec(field="count", direction="desc")],
            limit=2,
            offset=1,
        )
        assert [d.count for d in page.items] == [4, 2]
        assert (page.total, page.has_more) == (4, True)
        last = await repo.list(
            uow.session, order_by=[OrderSpec(field="count")], limit=5, offset=5, with_total=False
        )
        assert [d.count for d in last.items] == [5, 6]
        assert (last.total, last.has_more) == (None, False)
        ranged = await repo.list(
            uow.session, filters=[FilterSpec(field="count", operator="between", value=["2", "3"])]
        )
        assert sorted(d.count for d in ranged.items) == [2, 3]
        picked = await repo.list(
            uow.session, filters=[FilterSpec(field="title", operator="in", value=["t1", "t6"])]
        )
        assert sorted(d.title for d in picked.items) == ["t1", "t6"]
        assert (
            await repo.count(uow.session, [FilterSpec(field="title", operator="like", value="t%")])
            == 7
        )
        assert (
            await repo.count(
                uow.session, [FilterSpec(field="note", operator="is", value="not set")]
            )
            == 7
        )
        assert (
            await repo.count(uow.session, [FilterSpec(field="customer", value=str(customer.id))])
            == 7
        )


@pytest.mark.parametrize(
    ("spec", "order"),
    [
        (FilterSpec(field="nope", value=1), None),
        (FilterSpec(field="count", value="not a number"), None),
        (FilterSpec(field="count", operator="in", value=3), None),
        (None, OrderSpec(field="title; drop table invoice")),
    ],
)
async def test_bad_queries_are_rejected_before_sql(
    db: DatabaseRuntime, spec: FilterSpec | None, order: OrderSpec | None
) -> None:
    repo = db.repositories.get(Invoice)
    async with db.unit_of_work() as uow:
        with pytest.raises(InvalidQueryError):
            await repo.list(
                uow.session, filters=[spec] if spec else None, order_by=[order] if order else None
            )


async def test_list_loads_children_without_n_plus_one(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    repo = db.repositories.get(Invoice)
    async with db.unit_of_work() as uow:
        for n in range(10):
            await repo.save(uow.session, _invoice(customer, title=f"doc {n}"))
        await uow.commit()
    with recorded_statements(db) as statements:
        async with db.unit_of_work() as uow:
            page = await repo.list(uow.session, limit=10, with_total=False)
    assert len(page.items) == 10
    assert all(len(doc.items) == 3 for doc in page.items)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # one for the page, one for all their children


async def test_bulk_save_uses_one_multi_row_insert(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    repo = db.repositories.get(Invoice)
    docs = [_invoice(customer, title=f"bulk {n}") for n in range(50)]
    with recorded_statements(db) as statements:
        async with db.unit_of_work() as uow:
            saved = await repo.bulk_save(uow.session, docs)
            await uow.commit()
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO INVOICE ")]
    child_inserts = [
        s for s in statements if s.lstrip().upper().startswith("INSERT INTO INVOICE_ITEM ")
    ]
    # One INSERT per table, or none where PostgreSQL takes the rows by COPY (64 or more).
    assert len(inserts) == 1
    assert len(child_inserts) <= 1
    assert len({d.name for d in saved}) == 50
    async with db.unit_of_work() as uow:
        assert await repo.count(uow.session) == 50
        stored = await repo.list(uow.session, limit=100)
    assert sum(len(d.items) for d in stored.items) == sum(len(d.items) for d in docs) > 0


async def test_submit_freezes_and_cancel(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    repo = db.repositories.get(Invoice)
    async with db.unit_of_work() as uow:
        doc = await repo.save(uow.session, _invoice(customer))
        InvoiceController.calls.clear()
        await repo.submit(uow.session, doc)
        await uow.commit()
    assert doc.docstatus == DocStatus.SUBMITTED
    assert InvoiceController.calls == ["validate", "before_submit", "on_submit"]
    doc.title = "edited after submit"
    async with db.unit_of_work() as uow:
        with pytest.raises(DocumentImmutableError):
            await repo.save(uow.session, doc)
    async with db.unit_of_work() as uow:
        stored = await repo.get(uow.session, doc.id)
        assert stored is not None
        assert stored.title == "Consulting"
        with pytest.raises(DocumentImmutableError):
            await repo.delete(uow.session, doc.id)
        InvoiceController.calls.clear()
        await repo.cancel(uow.session, stored)
        await repo.delete(uow.session, stored.id)  # a cancelled document may be deleted
        await uow.commit()
    assert stored.docstatus == DocStatus.CANCELLED
    assert InvoiceController.calls == [
        "before_cancel",
        "on_cancel",
        "before_delete",
        "after_delete",
    ]


async def test_hard_and_soft_delete(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    invoices = db.repositories.get(Invoice)
    notes = db.repositories.get(Note)
    async with db.unit_of_work() as uow:
        invoice = await invoices.save(uow.session, _invoice(customer))
        note = await notes.save(uow.session, Note(body="hello"))
        await uow.commit()
    async with db.unit_of_work() as uow:
        await invoices.delete(uow.session, invoice.id)
        await notes.delete(uow.session, note.id)
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await invoices.get(uow.session, invoice.id) is None
        assert await notes.get(uow.session, note.id) is None
        assert await notes.count(uow.session) == 0
        children = (
            await uow.session.execute(
                select(func.count()).select_from(db.tables.get_table("InvoiceItem"))
            )
        ).scalar_one()
        note_rows = (
            await uow.session.execute(select(func.count()).select_from(db.tables.get_table("Note")))
        ).scalar_one()
        assert children == 0
        assert note_rows == 1  # soft delete keeps the row
        with pytest.raises(EntityNotFoundError):
            await notes.delete(uow.session, note.id)


async def test_linked_document_cannot_be_deleted(db: DatabaseRuntime) -> None:
    customer = await _customer(db)
    async with db.unit_of_work() as uow:
        await db.repositories.get(Invoice).save(uow.session, _invoice(customer))
        await uow.commit()
    async with db.unit_of_work() as uow:
        with pytest.raises(IntegrityError):
            await db.repositories.get(Customer).delete(uow.session, customer.id)
