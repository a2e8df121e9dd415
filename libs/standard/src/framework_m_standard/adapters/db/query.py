"""Filters and sort keys, checked against the DocType before they reach SQL.

Every field name and operator is validated; values are coerced to the field's type and
always sent as bound parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import ColumnElement, Select, and_, false, not_, or_
from sqlalchemy.sql.elements import UnaryExpression

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.domain.storable import unstorable
from framework_m_core.exceptions import InvalidQueryError
from framework_m_core.interfaces.repository import (
    FILTER_OPERATORS,
    Condition,
    FilterGroup,
    FilterSpec,
    OrderSpec,
)
from framework_m_standard.adapters.db.mapping import DocTypeMapping

_LIST_OPERATORS = {"in", "not in", "between"}


_DEFAULT_ORDER = (OrderSpec(field="creation", direction="desc"),)


def _column(mapping: DocTypeMapping, field: str, purpose: str) -> ColumnElement[Any]:
    """The column behind a field name, or ``InvalidQueryError`` if the DocType has no such field."""
    name = "_version" if field in ("version", "_version") else field
    if name not in mapping.columns:
        raise InvalidQueryError(f"{mapping.name} has no field {field!r} to {purpose}", field=field)
    return mapping.table.c[name]


def _field_adapter(mapping: DocTypeMapping, field: str) -> TypeAdapter[Any] | None:
    return _adapter(mapping.doctype, "version" if field == "_version" else field)


@cache
def _adapter(doctype: type[BaseDocType], field: str) -> TypeAdapter[Any] | None:
    info = doctype.model_fields.get(field)
    return None if info is None or info.annotation is None else TypeAdapter(info.annotation)


def _coerce(mapping: DocTypeMapping, spec: FilterSpec, value: Any) -> Any:
    adapter = _field_adapter(mapping, spec.field)
    if adapter is None or value is None:
        return value
    try:
        # Lax mode turns the strings of a query string or JSON body into UUIDs, dates, numbers.
        coerced = adapter.validate_python(value)
    except PydanticValidationError as exc:
        raise InvalidQueryError(
            f"Filter value {value!r} does not fit field {spec.field!r}", field=spec.field
        ) from exc
    if reason := unstorable(coerced):
        raise InvalidQueryError(f"The filter value for {spec.field!r} {reason}", field=spec.field)
    return coerced


def build_condition(mapping: DocTypeMapping, spec: FilterSpec) -> ColumnElement[bool]:
    column = _column(mapping, spec.field, "filter by")
    if spec.operator not in FILTER_OPERATORS:
        raise InvalidQueryError(
            f"Unknown filter operator {spec.operator!r}", operator=spec.operator
        )
    op, value = spec.operator, spec.value
    if op == "is":
        if value not in ("set", "not set"):
            raise InvalidQueryError("Operator 'is' takes 'set' or 'not set'", field=spec.field)
        return column.is_not(None) if value == "set" else column.is_(None)
    if op in ("like", "not like"):
        if not isinstance(value, str):
            raise InvalidQueryError(f"Operator {op!r} takes a string", field=spec.field)
        condition = column.like(value)
        return not_(condition) if op == "not like" else condition
    if op in _LIST_OPERATORS:
        if not isinstance(value, list | tuple):
            raise InvalidQueryError(f"Operator {op!r} takes a list", field=spec.field)
        values = [_coerce(mapping, spec, v) for v in value]
        if op == "between":
            if len(values) != 2:
                raise InvalidQueryError("Operator 'between' takes two values", field=spec.field)
            return column.between(values[0], values[1])
        return column.in_(values) if op == "in" else column.not_in(values)
    coerced = _coerce(mapping, spec, value)
    if coerced is None:
        if op == "=":
            return column.is_(None)
        if op == "!=":
            return column.is_not(None)
        raise InvalidQueryError(f"Operator {op!r} cannot compare with null", field=spec.field)
    comparisons: dict[str, Any] = {
        "=": column.__eq__,
        "!=": column.__ne__,
        ">": column.__gt__,
        ">=": column.__ge__,
        "<": column.__lt__,
        "<=": column.__le__,
    }
    result: ColumnElement[bool] = comparisons[op](coerced)
    return result


def build_group(mapping: DocTypeMapping, group: FilterGroup) -> ColumnElement[bool]:
    """``(a AND b) OR (c)``; no alternatives at all match no row."""
    if not group.any_of:
        return false()
    return or_(
        *(and_(*(build_condition(mapping, spec) for spec in specs)) for specs in group.any_of)
    )


def apply_filters(
    stmt: Select[Any], mapping: DocTypeMapping, filters: Sequence[Condition] | None
) -> Select[Any]:
    conditions = [
        build_group(mapping, spec)
        if isinstance(spec, FilterGroup)
        else build_condition(mapping, spec)
        for spec in filters or ()
    ]
    if mapping.soft_delete:
        conditions.append(mapping.table.c.deleted_at.is_(None))
    return stmt.where(and_(*conditions)) if conditions else stmt


def order_clauses(
    mapping: DocTypeMapping, order_by: Sequence[OrderSpec] | None
) -> list[UnaryExpression[Any]]:
    """Sort keys, always ending in ``id`` so that pages are stable."""
    clauses: list[UnaryExpression[Any]] = []
    specs = order_by or _DEFAULT_ORDER
    for spec in specs:
        column = _column(mapping, spec.field, "sort by")
        if spec.direction not in ("asc", "desc"):
            raise InvalidQueryError(f"Unknown sort direction {spec.direction!r}")
        clauses.append(column.desc() if spec.direction == "desc" else column.asc())
    if not any(spec.field == "id" for spec in specs):
        # Ties broken by id in the direction of the last key keep pages stable.
        id_column = mapping.table.c.id
        clauses.append(id_column.desc() if specs[-1].direction == "desc" else id_column.asc())
    return clauses
