"""An UPDATE sets the columns of the fields assigned since the document was loaded or saved
(plus JSON fields, which may change in place, and the modification stamp), on SQLite and
PostgreSQL. What nobody assigned is left as the row has it."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest
from sample_doctypes import Customer, Invoice, InvoiceController
from sqlalchemy import update

from framework_m_standard.adapters.db.runtime import DatabaseRuntime

from test_generic_repository import recorded_statements  # isort: skip


async def _stored_invoice(db: DatabaseRuntime) -> Invoice:
    async with db.unit_of_work() as uow:
        customer = await db.repositories.get(Customer).save(
            uow.session, Customer(customer_name="Acme")
        )
        invoice = Invoice(title="first", customer=customer.id, count=1, tags=["a"])
        await db.repositories.get(Invoice).save(uow.session, invoice)
        await uow.commit()
    return invoice


async def _load(db: DatabaseRuntime, id: UUID) -> Invoice:
    async with db.unit_of_work() as uow:
        loaded = await db.repositories.get(Invoice).get(uow.session, id)
    assert loaded is not None
    return loaded


async def _save(db: DatabaseRuntime, invoice: Invoice) -> None:
    async with db.unit_of_work() as uow:
        await db.repositories.get(Invoice).save(uow.session, invoice)
        await uow.commit()


async def _behind_its_back(db: DatabaseRuntime, id: UUID, **values: Any) -> None:
    """Change the row as another program would, without touching its version."""
    table = db.tables.get_table("Invoice")
    async with db.unit_of_work() as uow:
        await uow.session.execute(update(table).where(table.c.id == id).values(**values))
        await uow.commit()


def _set_columns(statements: list[str]) -> set[str]:
    (sql,) = [s for s in statements if s.lstrip().upper().startswith("UPDATE INVOICE ")]
    assigned = sql[sql.upper().index(" SET ") : sql.upper().index(" WHERE ")]
    return set(re.findall(r"(\w+)\s*=", assigned))


async def test_an_update_sets_only_what_was_assigned(db: DatabaseRuntime) -> None:
    stored = await _stored_invoice(db)
    loaded = await _load(db, stored.id)
    await _behind_its_back(db, stored.id, count=7, ratio=0.9)
    loaded.title = "renamed"
    loaded.tags.append("b")  # in place: JSON fields are always written
    with recorded_statements(db) as statements:
        await _save(db, loaded)
    assert _set_columns(statements) == {
        "title",
        "tags",
        "extra",
        "address",
        "history",
        "modified",
        "modified_by",
        "_version",
    }
    again = await _load(db, stored.id)
    assert (again.title, again.tags, again.version) == ("renamed", ["a", "b"], 1)
    assert (again.count, again.ratio) == (7, 0.9), "columns nobody assigned are left alone"


async def test_hook_assignments_and_later_saves_of_the_same_object_are_written(
    db: DatabaseRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def before_save(self: InvoiceController, context: object = None) -> None:
        self.doc.count += 10

    monkeypatch.setattr(InvoiceController, "before_save", before_save)
    stored = await _stored_invoice(db)  # inserted with count 1 + 10
    loaded = await _load(db, stored.id)
    loaded.paid = True
    await _save(db, loaded)
    saved = await _load(db, stored.id)
    assert (saved.count, saved.paid) == (21, True)
    loaded.ratio = 0.25  # the same object again: only what changed since its last save
    await _behind_its_back(db, stored.id, title="theirs")
    await _behind_its_back(db, stored.id, paid=False)
    await _save(db, loaded)
    final = await _load(db, stored.id)
    assert (final.ratio, final.count, final.title, final.paid) == (0.25, 31, "theirs", False)


async def test_a_document_built_whole_writes_every_field(db: DatabaseRuntime) -> None:
    """One not loaded by the repository (built from values, then marked stored) has every
    field it was given as assigned: an UPDATE of it sets them all, as before."""
    stored = await _stored_invoice(db)
    await _behind_its_back(db, stored.id, count=7)
    rebuilt = Invoice.model_validate({**stored.model_dump(by_alias=True), "title": "whole"})
    rebuilt.mark_persisted()
    with recorded_statements(db) as statements:
        await _save(db, rebuilt)
    assert {"count", "ratio", "paid", "title", "priority"} <= _set_columns(statements)
    again = await _load(db, stored.id)
    assert (again.title, again.count) == ("whole", 1)
