"""``field_kind``: the widget of a field from its annotation, including types no table stores."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal
from uuid import UUID

import pytest
from pydantic import BaseModel, Field, SecretStr

from framework_m import ChildDocType, DocType, Link
from framework_m_core.services.field_types import FIELD_TYPES, FieldKind, field_kind
from framework_m_core.services.metadata import doctype_module, list_fields


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Address(BaseModel):
    street: str


class Target(DocType):
    title: str = Field(max_length=80)


class Row(ChildDocType):
    label: str = Field(max_length=20)


class Specimen(DocType):
    short: str = Field(max_length=255)
    long: str = Field(max_length=256)
    constrained: Annotated[str, Field(max_length=10)] | None = None
    secret: SecretStr | None = None
    formatted: str | None = Field(default=None, json_schema_extra={"format": "password"})
    level: Level = Level.LOW
    numbers: Literal[1, 2, 3] = 1
    either: int | str = 0
    anything: Any = None
    mapping: dict[str, int] = Field(default_factory=dict)
    address: Address | None = None
    address_list: list[Address] = Field(default_factory=list)
    raw: bytes = b""
    by_class: Annotated[UUID, Link(Target)]
    by_name: Annotated[UUID | None, Link("Target")] = None
    by_extra: UUID | None = Field(default=None, json_schema_extra={"link": "Target"})
    rows: list[Row] = Field(default_factory=list)
    as_select: str = Field(default="a", max_length=1, json_schema_extra={"fieldtype": "select"})
    as_link: Annotated[UUID | None, Link(Target)] = Field(
        default=None, json_schema_extra={"fieldtype": "uuid"}
    )
    unknown_override: int = Field(default=0, json_schema_extra={"fieldtype": "slider"})

    class Meta:
        title_field = "short"


def _kind(name: str) -> FieldKind:
    return field_kind(name, Specimen.model_fields[name])


@pytest.mark.parametrize(
    ("name", "fieldtype"),
    [
        ("short", "data"),
        ("long", "text"),
        ("constrained", "data"),
        ("secret", "password"),
        ("formatted", "password"),
        ("level", "select"),
        ("numbers", "select"),
        ("either", "json"),
        ("anything", "json"),
        ("mapping", "json"),
        ("address", "json"),
        ("address_list", "json"),
        ("raw", "text"),
        ("by_class", "link"),
        ("by_name", "link"),
        ("by_extra", "link"),
        ("rows", "table"),
        ("as_select", "select"),
        ("as_link", "uuid"),
        ("unknown_override", "int"),
    ],
)
def test_fieldtype_of_each_annotation(name: str, fieldtype: str) -> None:
    kind = _kind(name)
    assert kind.fieldtype == fieldtype
    assert kind.fieldtype in FIELD_TYPES


def test_choices_targets_and_children() -> None:
    assert _kind("level").options == ("1", "2")  # an IntEnum's values, as strings
    assert _kind("numbers").options == ("1", "2", "3")
    assert _kind("by_class").link_doctype == "Target"
    assert _kind("by_name").link_doctype == "Target"
    assert _kind("by_extra").link_doctype == "Target"
    assert _kind("as_link").link_doctype is None  # overridden: a plain uuid
    assert _kind("rows").child is Row
    assert _kind("short") == FieldKind("data")


def test_default_list_columns_and_module() -> None:
    visible = {
        info.alias or name: field_kind(name, info) for name, info in Specimen.model_fields.items()
    }
    # Title first, then required and select fields in order, at most five, never a JSON cell.
    assert list_fields(Specimen, visible) == ["short", "long", "level", "numbers", "by_class"]
    assert doctype_module(Specimen) == "test_field_types"
    assert doctype_module(Target) == "test_field_types"
