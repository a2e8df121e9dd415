"""SchemaMapper and FieldRegistry: Pydantic models -> SQLAlchemy tables (no database needed)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from ipaddress import IPv4Address
from typing import Annotated, Any
from uuid import UUID

import pytest
from pydantic import Field
from sample_doctypes import Customer, Invoice, InvoiceItem, Note, registry
from sqlalchemy import BigInteger, Boolean, Date, Float, Integer, MetaData, String, Text, Uuid
from sqlalchemy.dialects import postgresql, sqlite

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.domain.link import Link
from framework_m_core.exceptions import InvalidDocTypeError
from framework_m_standard.adapters.db.field_registry import FieldRegistry
from framework_m_standard.adapters.db.schema_mapper import SqlAlchemySchemaMapper
from framework_m_standard.adapters.db.types import ExactDecimal, UtcDateTime


@pytest.fixture
def mapper() -> SqlAlchemySchemaMapper:
    m = SqlAlchemySchemaMapper()
    m.create_tables(registry().doctypes())
    return m


def test_standard_columns_primary_key_and_unique_name(mapper: SqlAlchemySchemaMapper) -> None:
    table = mapper.tables.get_table("Invoice")
    assert table.name == "invoice"
    assert [c.name for c in table.primary_key.columns] == ["id"]
    assert isinstance(table.c.id.type, Uuid)
    assert table.c.name.unique is True
    assert table.c._version.nullable is False
    assert isinstance(table.c.creation.type, UtcDateTime)
    assert "deleted_at" not in table.c


def test_field_types_and_nullability(mapper: SqlAlchemySchemaMapper) -> None:
    c = mapper.tables.get_table("Invoice").c
    assert isinstance(c.title.type, String)
    assert c.title.type.length == 200
    assert c.title.nullable is False
    assert isinstance(c["count"].type, BigInteger)
    assert isinstance(c.ratio.type, Float)
    assert isinstance(c.paid.type, Boolean)
    assert isinstance(c.due.type, Date)
    assert c.due.nullable is True
    assert isinstance(c.amount.type, ExactDecimal)
    assert (c.amount.type.precision, c.amount.type.scale) == (18, 4)
    assert isinstance(c.reference.type, Uuid)
    assert isinstance(c.priority.type, String)
    assert c.priority.type.length == 4
    assert isinstance(c.channel.type, String)
    assert isinstance(c.docstatus.type, Integer)
    for json_field in ("tags", "extra", "address", "history"):
        compiled = c[json_field].type.compile(dialect=postgresql.dialect())
        assert compiled == "JSONB", json_field
        assert c[json_field].type.compile(dialect=sqlite.dialect()) == "JSON"
    assert "items" not in c  # a child table, not a column


def test_link_fields_are_foreign_keys(mapper: SqlAlchemySchemaMapper) -> None:
    customer_fk = next(iter(mapper.tables.get_table("Invoice").c.customer.foreign_keys))
    assert customer_fk.target_fullname == "customer.id"
    assert customer_fk.ondelete == "RESTRICT"
    supplier_fk = next(iter(mapper.tables.get_table("InvoiceItem").c.supplier.foreign_keys))
    assert supplier_fk.target_fullname == "customer.id"


def test_child_table_has_parent_columns(mapper: SqlAlchemySchemaMapper) -> None:
    c = mapper.tables.get_table("InvoiceItem").c
    assert {"parent", "parenttype", "parentfield", "idx"} <= set(c.keys())
    parent_fk = next(iter(c.parent.foreign_keys))
    assert parent_fk.target_fullname == "invoice.id"
    assert parent_fk.ondelete == "CASCADE"
    assert c.name.unique is not True
    mapping = mapper.tables.get_mapping("Invoice")
    assert mapping.children["items"].mapping.doctype is InvoiceItem


def test_indexes(mapper: SqlAlchemySchemaMapper) -> None:
    indexed = {
        tuple(c.name for c in ix.columns) for ix in mapper.tables.get_table("Invoice").indexes
    }
    assert {("owner",), ("creation",), ("modified",), ("customer", "due"), ("customer",)} <= indexed
    child_indexed = {
        tuple(c.name for c in ix.columns) for ix in mapper.tables.get_table("InvoiceItem").indexes
    }
    assert ("parent", "parentfield", "idx") in child_indexed


def test_concurrency_none_has_no_version_and_soft_delete_has_deleted_at(
    mapper: SqlAlchemySchemaMapper,
) -> None:
    c = mapper.tables.get_table("Note").c
    assert "_version" not in c
    assert c.deleted_at.nullable is True
    assert mapper.tables.get_table("Customer").c.customer_name.type.length == 140
    assert Note.get_meta().soft_delete
    assert Customer.get_meta().naming == "field:customer_name"
    assert Invoice.get_meta().is_submittable


def test_custom_type_registration() -> None:
    class Server(BaseDocType):
        address: IPv4Address
        seen: datetime
        day: date
        cost: Decimal

    fields = FieldRegistry()
    with pytest.raises(InvalidDocTypeError):
        SqlAlchemySchemaMapper(field_registry=fields).create_table(Server)
    fields.register_type(IPv4Address, String(15))
    table = SqlAlchemySchemaMapper(field_registry=fields).create_table(Server)
    assert isinstance(table.c.address.type, String)
    assert table.c.address.type.length == 15


def test_unknown_index_field_is_rejected() -> None:
    class Broken(BaseDocType):
        title: str

        class Meta:
            indexes = (("missing",),)

    with pytest.raises(InvalidDocTypeError):
        SqlAlchemySchemaMapper().create_table(Broken)


def test_unknown_meta_option_is_rejected() -> None:
    with pytest.raises(InvalidDocTypeError):

        class Typo(BaseDocType):
            class Meta:
                namng = "uuid"


def test_link_by_name_and_text_fields() -> None:
    class Target(BaseDocType):
        pass

    class Source(BaseDocType):
        target: Annotated[UUID | None, Link("Target", on_delete="SET NULL")] = None
        body: str = ""
        data: Any = None

    metadata = MetaData()
    mapper = SqlAlchemySchemaMapper(metadata=metadata)
    mapper.create_tables([Target, Source])
    table = mapper.tables.get_table("Source")
    fk = next(iter(table.c.target.foreign_keys))
    assert (fk.target_fullname, fk.ondelete) == ("target.id", "SET NULL")
    assert isinstance(table.c.body.type, Text)
    assert set(metadata.tables) == {"target", "source"}


def test_set_null_link_must_be_optional() -> None:
    class Other(BaseDocType):
        pass

    class Strict(BaseDocType):
        other: Annotated[UUID, Link(Other, on_delete="SET NULL")] = Field(...)

    with pytest.raises(InvalidDocTypeError):
        SqlAlchemySchemaMapper().create_tables([Other, Strict])
