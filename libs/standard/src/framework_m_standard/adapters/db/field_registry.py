"""FieldRegistry: which SQL column type stores which Python field type.

Standard types are registered by default; apps add their own with ``register_type``.
Types the registry does not know but Pydantic can serialise as JSON (lists, dicts, nested
models) are stored as JSON.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    Uuid,
)
from sqlalchemy.types import TypeEngine

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.domain.link import Link
from framework_m_core.exceptions import InvalidDocTypeError
from framework_m_standard.adapters.db.types import ExactDecimal, UtcDateTime, json_type

TypeFactory = Callable[[FieldInfo, tuple[Any, ...]], TypeEngine[Any]]


@dataclass(frozen=True, slots=True)
class FieldShape:
    """A field's annotation taken apart: the core type, nullability and markers."""

    python_type: Any
    nullable: bool
    metadata: tuple[Any, ...]
    link: Link | None
    child: type[BaseDocType] | None
    """Set for ``list[ChildDocType]``: the field is a child table, not a column."""
    is_json: bool


def _string(info: FieldInfo, metadata: tuple[Any, ...]) -> TypeEngine[Any]:
    max_length = _max_length(info, metadata)
    return String(max_length) if max_length else Text()


def _decimal(info: FieldInfo, metadata: tuple[Any, ...]) -> TypeEngine[Any]:
    digits = places = None
    for item in (*info.metadata, *metadata):
        digits = getattr(item, "max_digits", None) or digits
        places = getattr(item, "decimal_places", None) or places
    return ExactDecimal(digits or 18, places if places is not None else 6)


def _max_length(info: FieldInfo, metadata: tuple[Any, ...]) -> int | None:
    for item in (*info.metadata, *metadata):
        length = getattr(item, "max_length", None)
        if isinstance(length, int):
            return length
    return None


def _fixed(sql_type: Callable[[], TypeEngine[Any]]) -> TypeFactory:
    return lambda _info, _meta: sql_type()


class FieldRegistry:
    """Python type -> SQL column type. Lookup follows the MRO, so subclasses of str map as str."""

    def __init__(self) -> None:
        self._types: dict[Any, TypeFactory] = {
            str: _string,
            bool: _fixed(Boolean),
            int: _fixed(BigInteger),
            float: _fixed(Float),
            Decimal: _decimal,
            datetime: _fixed(UtcDateTime),
            date: _fixed(Date),
            time: _fixed(Time),
            UUID: _fixed(Uuid),
            bytes: _fixed(LargeBinary),
        }

    def register_type(self, python_type: Any, sql_type: TypeEngine[Any] | TypeFactory) -> None:
        """Store fields of ``python_type`` in ``sql_type`` (an instance or a factory)."""
        if isinstance(sql_type, TypeEngine):
            instance = sql_type
            self._types[python_type] = lambda _info, _meta: instance
        else:
            self._types[python_type] = sql_type

    def is_registered(self, python_type: Any) -> bool:
        return self._factory(python_type) is not None

    def shape(self, info: FieldInfo) -> FieldShape:
        return analyse(info)

    def sql_type(self, info: FieldInfo, shape: FieldShape | None = None) -> TypeEngine[Any]:
        """The column type for a model field."""
        shape = shape or analyse(info)
        if shape.link is not None:
            return Uuid()
        tp = shape.python_type
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return _enum_type(tp)
        if typing.get_origin(tp) is Literal:
            values = typing.get_args(tp)
            if all(isinstance(v, str) for v in values):
                return String(max(len(v) for v in values))
            if all(isinstance(v, bool) for v in values):
                return Boolean()
            if all(isinstance(v, int) for v in values):
                return Integer()
            raise InvalidDocTypeError(f"Literal with mixed value types is not supported: {tp}")
        factory = self._factory(tp)
        if factory is not None:
            return factory(info, shape.metadata)
        if shape.is_json:
            return json_type()
        raise InvalidDocTypeError(
            f"No column type for {tp!r}; register one with FieldRegistry.register_type"
        )

    def _factory(self, tp: Any) -> TypeFactory | None:
        if tp in self._types:
            return self._types[tp]
        if isinstance(tp, type):
            for klass in tp.__mro__[1:]:
                if klass in self._types:
                    return self._types[klass]
        return None


def _enum_type(tp: type[enum.Enum]) -> TypeEngine[Any]:
    values = [member.value for member in tp]
    if all(isinstance(v, int) for v in values):
        return Integer()
    return String(max((len(str(v)) for v in values), default=1))


def analyse(info: FieldInfo) -> FieldShape:
    """Unwrap ``Annotated`` and ``Optional`` around a field's type; find links and child tables."""
    tp: Any = info.annotation
    metadata: list[Any] = list(info.metadata)
    nullable = False
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp, *extra = typing.get_args(tp)
            metadata.extend(extra)
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) < len(typing.get_args(tp)):
                nullable = True
            if len(args) != 1:
                # A union of several types can only be stored as JSON.
                return FieldShape(tp, nullable, tuple(metadata), None, None, True)
            tp = args[0]
        else:
            break
    link = next((m for m in metadata if isinstance(m, Link)), None)
    extra_link = (info.json_schema_extra or {}) if isinstance(info.json_schema_extra, dict) else {}
    if link is None and isinstance(extra_link.get("link"), str):
        link = Link(str(extra_link["link"]))
    child = None
    origin = typing.get_origin(tp)
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        if (
            isinstance(item, type)
            and issubclass(item, BaseDocType)
            and item.get_meta().is_child_table
        ):
            child = item
    is_json = origin in (list, dict, tuple, set, frozenset) or tp in (list, dict, Any)
    if isinstance(tp, type) and issubclass(tp, BaseModel) and not issubclass(tp, BaseDocType):
        is_json = True
    return FieldShape(tp, nullable, tuple(metadata), link, child, is_json)
