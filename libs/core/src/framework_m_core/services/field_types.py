"""Which widget a field needs: its ``fieldtype`` derived from the Pydantic annotation.

The Desk renders forms and lists from these, so it never guesses a widget from raw JSON
Schema. ``Field(json_schema_extra={"fieldtype": "text"})`` overrides the derived type.
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.domain.link import Link

FieldType = Literal[
    "data",
    "text",
    "password",
    "int",
    "float",
    "currency",
    "check",
    "select",
    "date",
    "datetime",
    "time",
    "json",
    "link",
    "table",
    "uuid",
]
FIELD_TYPES: frozenset[str] = frozenset(typing.get_args(FieldType))

SHORT_TEXT = 255
"""Strings of at most this many characters are ``data`` (one line); longer ones ``text``."""

# Standard string fields without a length limit that still hold one short value (a user id).
_SHORT_STANDARD_FIELDS = frozenset({"owner", "modified_by"})


@dataclass(frozen=True, slots=True)
class FieldKind:
    """A field's widget: its type, the choices of a select, the target of a link or table."""

    fieldtype: FieldType
    options: tuple[str, ...] | None = None
    link_doctype: str | None = None
    child: type[BaseDocType] | None = None


def field_kind(name: str, info: FieldInfo) -> FieldKind:
    """The ``fieldtype`` of a model field (an explicit ``json_schema_extra`` one wins)."""
    tp, metadata = _unwrap(info.annotation, list(info.metadata))
    derived = _derive(name, tp, metadata, info)
    override = _override(info)
    if override is None or override == derived.fieldtype:
        return derived
    # An override keeps what it needs from the annotation (the choices of a select).
    return FieldKind(
        override,
        options=derived.options if override == "select" else None,
        link_doctype=derived.link_doctype if override == "link" else None,
        child=derived.child if override == "table" else None,
    )


def _extra(info: FieldInfo) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def _override(info: FieldInfo) -> FieldType | None:
    value = _extra(info).get("fieldtype")
    # Unknown names are left out rather than sent: the Desk would have no widget for them.
    return value if isinstance(value, str) and value in FIELD_TYPES else None  # type: ignore[return-value]


def _unwrap(tp: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """``Annotated`` and ``Optional`` peeled off; the annotations' metadata collected."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp, *extra = typing.get_args(tp)
            for item in extra:
                # ``Annotated[str, Field(max_length=...)] | None``: the constraints are inside.
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return Any, metadata  # several types: only JSON holds them all
            tp = args[0]
        else:
            return tp, metadata


def _derive(name: str, tp: Any, metadata: list[Any], info: FieldInfo) -> FieldKind:
    link = next((m for m in metadata if isinstance(m, Link)), None)
    if link is not None:
        return FieldKind("link", link_doctype=link.target_name)
    if isinstance(_extra(info).get("link"), str):
        return FieldKind("link", link_doctype=str(_extra(info)["link"]))
    origin = typing.get_origin(tp)
    if origin is Literal:
        return FieldKind("select", options=tuple(_choice(v) for v in typing.get_args(tp)))
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        if (
            isinstance(item, type)
            and issubclass(item, BaseDocType)
            and item.get_meta().is_child_table
        ):
            return FieldKind("table", child=item)
        return FieldKind("json")
    if not isinstance(tp, type):
        return FieldKind("json")  # Any, dict[...], tuple[...] and other generics
    if issubclass(tp, enum.Enum):
        return FieldKind("select", options=tuple(_choice(m.value) for m in tp))
    if issubclass(tp, SecretStr):
        return FieldKind("password")
    if issubclass(tp, str):
        if _extra(info).get("format") == "password":
            return FieldKind("password")
        if name in _SHORT_STANDARD_FIELDS:
            return FieldKind("data")
        limit = next((m.max_length for m in metadata if _max_length(m) is not None), None)
        return FieldKind("data" if limit is not None and limit <= SHORT_TEXT else "text")
    # Nested Pydantic models and other classes travel as JSON objects.
    return FieldKind(_SCALARS.get(_scalar_base(tp), "json"))


_SCALARS: dict[type, FieldType] = {
    bool: "check",
    int: "int",
    float: "float",
    Decimal: "currency",
    datetime: "datetime",
    date: "date",
    time: "time",
    UUID: "uuid",
    bytes: "text",
}


def _scalar_base(tp: type) -> type:
    """The first scalar class ``tp`` is (``bool`` before ``int``, ``datetime`` before ``date``)."""
    for klass in tp.__mro__:
        if klass in _SCALARS:
            return klass
    return object


def _max_length(constraint: Any) -> int | None:
    value = getattr(constraint, "max_length", None)
    return value if isinstance(value, int) else None


def _choice(value: Any) -> str:
    """A select's choice as the contract sends it: a string (``Literal[1, 2]`` -> "1", "2")."""
    if isinstance(value, enum.Enum):
        value = value.value
    return value if isinstance(value, str) else str(value)
