"""The read lane (``list_records`` / ``count_records``): the same rows, the same JSON, as the
documents read through SQLAlchemy, with keyset pagination and a capped count."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID, uuid4

import msgspec
import pytest
from pydantic import Field
from pydantic_core import to_json
from sample_doctypes import Address, Customer, Invoice, InvoiceItem, registry

from framework_m_core.domain.base_doctype import BaseChildDocType, BaseDocType
from framework_m_core.exceptions import InvalidQueryError
from framework_m_core.interfaces.repository import (
    Condition,
    FilterGroup,
    FilterSpec,
    OrderSpec,
    RecordReaderProtocol,
)
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime


class GadgetPart(BaseChildDocType):
    label: str
    weight: float = 0.0


class Gadget(BaseDocType):
    """Every scalar type, a JSON list and dict, and a child table: served as plain records."""

    title: str = Field(max_length=140)
    count: int = 0
    ratio: float = 0.0
    price: Decimal = Field(default=Decimal("0"), max_digits=18, decimal_places=4)
    active: bool = False
    due: date | None = None
    seen_at: datetime | None = None
    ref: UUID | None = None
    kind: Literal["a", "b"] = "a"
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    note: str | None = None
    parts: list[GadgetPart] = Field(default_factory=list)


ENCODER = msgspec.json.Encoder()


def as_json(value: Any) -> Any:
    """What a client receives: records and model dumps compared on the wire."""
    return json.loads(ENCODER.encode(value))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[DatabaseRuntime]:
    reg = registry()
    reg.register_doctype(GadgetPart)
    reg.register_doctype(Gadget)
    runtime = DatabaseRuntime.build(Settings(database_url=database_url), reg)
    await runtime.sync_schema()
    try:
        yield runtime
    finally:
        await runtime.dispose()


async def store(db: DatabaseRuntime, *docs: BaseDocType) -> None:
    async with db.unit_of_work() as uow:
        for doc in docs:
            await db.repositories.get(type(doc)).save(uow.session, doc)
        await uow.commit()


def gadgets(n: int) -> list[Gadget]:
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return [
        Gadget(
            title=f"g{i:03d}",
            count=i % 7,
            ratio=i / 3,
            price=Decimal(f"{i}.{i % 10}5"),
            active=i % 2 == 0,
            due=date(2026, 1, 1) + timedelta(days=i) if i % 3 else None,
            # Whole seconds as well as microseconds: both are written the way Pydantic does.
            seen_at=start + timedelta(seconds=i, microseconds=0 if i % 2 else i * 1000),
            ref=uuid4() if i % 4 else None,
            kind="a" if i % 5 else "b",
            tags=[f"t{i}", "x"],
            extra={"n": i, "nested": {"ok": True}},
            note=None if i % 2 else f"note {i}",
            parts=[GadgetPart(label=f"p{i}-{j}", weight=j / 2) for j in range(i % 3)],
        )
        for i in range(n)
    ]


def reader(db: DatabaseRuntime, doctype: type[BaseDocType]) -> RecordReaderProtocol:
    repo = db.repositories.get(doctype)
    assert isinstance(repo, RecordReaderProtocol)
    return repo


async def documents_as_json(
    db: DatabaseRuntime, doctype: type[BaseDocType], filters: list[Condition] | None = None
) -> list[Any]:
    async with db.unit_of_work() as uow:
        page = await db.repositories.get(doctype).list(
            uow.session, filters, limit=1000, with_total=False
        )
    return [json.loads(to_json(doc.model_dump(mode="json", by_alias=True))) for doc in page.items]


async def test_records_are_the_documents_json(db: DatabaseRuntime) -> None:
    await store(db, *gadgets(25))
    page = await reader(db, Gadget).list_records(limit=1000)
    assert len(page.items) == 25
    assert as_json(page.items) == await documents_as_json(db, Gadget)
    assert any(record["parts"] for record in page.items)


async def test_doctypes_with_models_in_json_columns_go_through_the_model(
    db: DatabaseRuntime,
) -> None:
    customer = Customer(customer_name="Acme")
    invoice = Invoice(
        title="i1",
        customer=customer.id,
        amount=Decimal("12.3400"),
        address=Address(street="Main", city="Oslo"),
        history=[Address(street="Old", city="Bergen")],
        items=[InvoiceItem(item="bolt", qty=2, rate=Decimal("1.5"))],
    )
    await store(db, customer, invoice)
    page = await reader(db, Invoice).list_records()
    assert as_json(page.items) == await documents_as_json(db, Invoice)


async def test_fields_select_and_exclude_drops(db: DatabaseRuntime) -> None:
    await store(db, *gadgets(3))
    repo = reader(db, Gadget)
    picked = await repo.list_records(fields=["title", "parts"], limit=1)
    assert set(picked.items[0]) == {"id", "title", "parts"}
    hidden = await repo.list_records(exclude=frozenset({"note", "parts"}), limit=1)
    assert "note" not in hidden.items[0]
    assert "parts" not in hidden.items[0]
    assert "title" in hidden.items[0]


FILTER_CASES: list[list[Condition]] = [
    [FilterSpec(field="count", operator=">=", value=3)],
    [FilterSpec(field="kind", value="b"), FilterSpec(field="active", value=True)],
    [FilterSpec(field="note", operator="is", value="not set")],
    [FilterSpec(field="note", value=None)],
    [FilterSpec(field="due", operator="between", value=["2026-01-03", "2026-01-10"])],
    [FilterSpec(field="title", operator="in", value=["g001", "g004", "nope"])],
    [FilterSpec(field="title", operator="not in", value=[])],
    [FilterSpec(field="title", operator="in", value=[])],
    [FilterSpec(field="title", operator="like", value="g01%")],
    [FilterSpec(field="price", operator=">", value="10.5")],
    [
        FilterGroup(
            any_of=(
                (FilterSpec(field="count", value=1),),
                (FilterSpec(field="kind", value="b"), FilterSpec(field="active", value=False)),
            )
        )
    ],
    [FilterGroup(any_of=())],
]


@pytest.mark.parametrize("filters", FILTER_CASES)
async def test_both_read_paths_select_the_same_rows(
    db: DatabaseRuntime, filters: list[Condition]
) -> None:
    await store(db, *gadgets(25))
    page = await reader(db, Gadget).list_records(filters, limit=1000)
    expected = await documents_as_json(db, Gadget, filters)
    assert as_json(page.items) == expected
    assert await reader(db, Gadget).count_records(filters) == len(expected)


async def test_a_query_shape_is_built_once(db: DatabaseRuntime) -> None:
    await store(db, *gadgets(5))
    repo = db.repositories.get(Gadget)
    await repo.list_records([FilterSpec(field="count", value=1)], fields=["title"])
    size = len(repo.statement_cache)
    for value in range(2, 6):
        await repo.list_records([FilterSpec(field="count", value=value)], fields=["title"])
    assert len(repo.statement_cache) == size
    await repo.list_records([FilterSpec(field="count", operator=">", value=1)], fields=["title"])
    assert len(repo.statement_cache) == size + 1


ORDERS = [
    None,
    [OrderSpec(field="title")],
    [OrderSpec(field="count", direction="desc")],
    [OrderSpec(field="ratio"), OrderSpec(field="creation", direction="desc")],
]


@pytest.mark.parametrize("order_by", ORDERS)
async def test_keyset_pages_walk_the_same_order_as_offsets(
    db: DatabaseRuntime, order_by: list[OrderSpec] | None
) -> None:
    await store(db, *gadgets(25))
    repo = reader(db, Gadget)
    everything = [r["id"] for r in (await repo.list_records(None, order_by, 1000)).items]
    walked: list[Any] = []
    cursor = None
    for _ in range(10):
        page = await repo.list_records(None, order_by, 7, after=cursor, fields=["title"])
        walked.extend(r["id"] for r in page.items)
        cursor = page.next_cursor
        assert (cursor is not None) == page.has_more
        if cursor is None:
            break
    assert walked == everything


async def test_cursors_are_checked(db: DatabaseRuntime) -> None:
    await store(db, *gadgets(5))
    repo = reader(db, Gadget)
    page = await repo.list_records(None, [OrderSpec(field="title")], 2)
    assert page.next_cursor is not None
    with pytest.raises(InvalidQueryError, match="different sort order"):
        await repo.list_records(None, [OrderSpec(field="count")], 2, after=page.next_cursor)
    with pytest.raises(InvalidQueryError, match="Invalid cursor"):
        await repo.list_records(None, None, 2, after="not-a-cursor!")
    # ``note`` may be NULL: NULLs sort differently per database, so no keyset on it.
    nullable = await repo.list_records(None, [OrderSpec(field="note")], 2)
    assert nullable.has_more
    assert nullable.next_cursor is None
    with pytest.raises(InvalidQueryError, match="always have a value"):
        await repo.list_records(None, [OrderSpec(field="note")], 2, after=page.next_cursor)


async def test_count_stops_at_its_limit(db: DatabaseRuntime) -> None:
    await store(db, *gadgets(25))
    repo = reader(db, Gadget)
    assert await repo.count_records() == 25
    assert await repo.count_records(limit=10) == 11
    assert await repo.count_records(limit=100) == 25
    assert await repo.count_records([FilterSpec(field="kind", value="b")], limit=0) == 1


async def test_total_when_asked(db: DatabaseRuntime) -> None:
    await store(db, *gadgets(25))
    repo = reader(db, Gadget)
    assert (await repo.list_records(limit=5)).total is None
    assert (await repo.list_records(limit=5, with_total=True)).total == 25
    assert (await repo.list_records(limit=5, with_total=True, total_limit=10)).total == 11


async def test_records_see_what_was_committed_and_nothing_else(db: DatabaseRuntime) -> None:
    repo = reader(db, Gadget)
    async with db.unit_of_work() as uow:
        await db.repositories.get(Gadget).save(uow.session, Gadget(title="pending"))
        assert await repo.count_records() == 0
        await uow.commit()
    assert await repo.count_records() == 1


async def test_an_in_memory_database_reads_through_its_engine() -> None:
    reg = registry()
    reg.register_doctype(GadgetPart)
    reg.register_doctype(Gadget)
    runtime = DatabaseRuntime.build(Settings(database_url="sqlite+aiosqlite://"), reg)
    await runtime.sync_schema()
    try:
        await store(runtime, *gadgets(3))
        page = await reader(runtime, Gadget).list_records(limit=10)
        assert as_json(page.items) == await documents_as_json(runtime, Gadget)
    finally:
        await runtime.dispose()
