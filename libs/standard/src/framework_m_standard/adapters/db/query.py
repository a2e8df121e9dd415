"""Filters, sort keys and keyset cursors, checked against the DocType before they reach SQL.

A query is *planned* into a shape and its values. The shape is hashable and alone decides the
SQL (columns, operators, how many values), so a statement is built and compiled once per shape
and reused with new values (see ``statements.py``). Values are coerced to the field's type and
always sent as bound parameters named ``p0``, ``p1``, ... in plan order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import to_json
from sqlalchemy import ColumnElement, Table, and_, bindparam, false, or_, select, true, tuple_
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
    SharedWith,
)
from framework_m_standard.adapters.db.mapping import DocTypeMapping

_COMPARISONS = frozenset(
    {"=", "!=", ">", ">=", "<", "<=", "like", "not like", "ilike", "not ilike"}
)
_DEFAULT_ORDER = (OrderSpec(field="creation", direction="desc"),)
_SHARE_ACTIONS = {"read": "read", "write": "write", "delete": "write"}
_SHARE_ACTIONS.update(submit="write", cancel="write")


# ---------------------------------------------------------------- shape nodes
class Cmp(NamedTuple):
    column: str
    op: str  # one value


class IsNull(NamedTuple):
    column: str
    negate: bool  # no value


class InList(NamedTuple):
    column: str
    negate: bool
    size: int  # ``size`` values


class Between(NamedTuple):
    column: str  # two values


class AnyOf(NamedTuple):
    groups: tuple[tuple[Node, ...], ...]


class Shared(NamedTuple):
    allows: str | None  # "read" / "write" / None (no share allows it); two values


class After(NamedTuple):
    order: tuple[tuple[str, str], ...]  # n(n+1)/2 values, see ``_after_clause``


Node = Cmp | IsNull | InList | Between | AnyOf | Shared | After
Order = tuple[tuple[str, str], ...]


class Plan(NamedTuple):
    """What a query looks like (``shape``) and the values it binds, in order."""

    shape: tuple[Node, ...]
    values: list[Any]

    def params(self) -> dict[str, Any]:
        return {f"p{i}": value for i, value in enumerate(self.values)}


# ---------------------------------------------------------------- planning
def column_name(mapping: DocTypeMapping, field: str, purpose: str) -> str:
    """The column behind a field name, or ``InvalidQueryError`` if the DocType has no such field."""
    name = "_version" if field in ("version", "_version") else field
    if name not in mapping.columns:
        raise InvalidQueryError(f"{mapping.name} has no field {field!r} to {purpose}", field=field)
    return name


@cache
def _adapter(doctype: type[BaseDocType], field: str) -> TypeAdapter[Any] | None:
    info = doctype.model_fields.get("version" if field == "_version" else field)
    return None if info is None or info.annotation is None else TypeAdapter(info.annotation)


def coerce(mapping: DocTypeMapping, field: str, value: Any) -> Any:
    """A filter value in the field's type: lax mode turns query-string text into UUIDs, dates."""
    adapter = _adapter(mapping.doctype, field)
    if adapter is None or value is None:
        return value
    try:
        coerced = adapter.validate_python(value)
    except PydanticValidationError as exc:
        raise InvalidQueryError(
            f"Filter value {value!r} does not fit field {field!r}", field=field
        ) from exc
    if reason := unstorable(coerced):
        raise InvalidQueryError(f"The filter value for {field!r} {reason}", field=field)
    return coerced


def plan_filters(
    mapping: DocTypeMapping, filters: Sequence[Condition] | None, doctype_name: str | None = None
) -> Plan:
    """Check every condition and split the filters into a shape and its values."""
    values: list[Any] = []
    shape = tuple(
        _plan(mapping, spec, values, doctype_name or mapping.name) for spec in filters or ()
    )
    return Plan(shape, values)


def _plan(
    mapping: DocTypeMapping,
    spec: FilterSpec | FilterGroup | SharedWith,
    values: list[Any],
    name: str,
) -> Node:
    if isinstance(spec, FilterGroup):
        return AnyOf(tuple(tuple(_plan(mapping, s, values, name) for s in g) for g in spec.any_of))
    if isinstance(spec, SharedWith):
        values.extend((spec.user_id, name))
        return Shared(_SHARE_ACTIONS.get(spec.action))
    column = column_name(mapping, spec.field, "filter by")
    op, value = spec.operator, spec.value
    if op not in FILTER_OPERATORS:
        raise InvalidQueryError(f"Unknown filter operator {op!r}", operator=op)
    if op == "is":
        if value not in ("set", "not set"):
            raise InvalidQueryError("Operator 'is' takes 'set' or 'not set'", field=spec.field)
        return IsNull(column, negate=value == "set")
    if op in ("like", "not like", "ilike", "not ilike"):
        if not isinstance(value, str):
            raise InvalidQueryError(f"Operator {op!r} takes a string", field=spec.field)
        values.append(value)
        return Cmp(column, op)
    if op in ("in", "not in", "between"):
        if not isinstance(value, list | tuple):
            raise InvalidQueryError(f"Operator {op!r} takes a list", field=spec.field)
        items = [coerce(mapping, spec.field, v) for v in value]
        if op == "between":
            if len(items) != 2:
                raise InvalidQueryError("Operator 'between' takes two values", field=spec.field)
            values.extend(items)
            return Between(column)
        values.extend(items)
        return InList(column, negate=op == "not in", size=len(items))
    coerced = coerce(mapping, spec.field, value)
    if coerced is None:
        if op in ("=", "!="):
            return IsNull(column, negate=op == "!=")
        raise InvalidQueryError(f"Operator {op!r} cannot compare with null", field=spec.field)
    values.append(coerced)
    return Cmp(column, op)


def by_id(shape: tuple[Node, ...]) -> bool:
    """Whether the conditions select at most one row by its primary key (``id = ?``)."""
    return any(type(node) is Cmp and node.column == "id" and node.op == "=" for node in shape)


def plan_order(mapping: DocTypeMapping, order_by: Sequence[OrderSpec] | None) -> Order:
    """Sort keys as ``((column, direction), ...)``, always ending in ``id`` so pages are stable."""
    specs = order_by or _DEFAULT_ORDER
    keys: list[tuple[str, str]] = []
    for spec in specs:
        column = column_name(mapping, spec.field, "sort by")
        if spec.direction not in ("asc", "desc"):
            raise InvalidQueryError(f"Unknown sort direction {spec.direction!r}")
        keys.append((column, spec.direction))
    if not any(column == "id" for column, _ in keys):
        # Ties broken by id in the direction of the last key keep pages stable.
        keys.append(("id", keys[-1][1]))
    return tuple(keys)


# ---------------------------------------------------------------- keyset cursors
def keyset_ready(mapping: DocTypeMapping, order: Order) -> bool:
    """Keyset pagination needs sort columns that are never NULL (NULLs sort differently)."""
    return all(not mapping.table.c[column].nullable for column, _ in order)


def encode_cursor(order: Order, row: dict[str, Any]) -> str:
    """An opaque continuation token: the sort key of the last row, and which sort it is for."""
    payload = to_json([[f"{c} {d}" for c, d in order], [row[c] for c, _ in order]])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def plan_after(mapping: DocTypeMapping, order: Order, cursor: str, plan: Plan) -> Plan:
    """The plan extended by "rows after the cursor" in this order."""
    if not keyset_ready(mapping, order):
        raise InvalidQueryError(
            "Keyset pagination (after=) needs sort fields that always have a value"
        )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        signature, raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise InvalidQueryError("Invalid cursor") from None
    if signature != [f"{c} {d}" for c, d in order] or not isinstance(raw, list):
        raise InvalidQueryError("The cursor belongs to a different sort order")
    keys = [coerce(mapping, column, value) for (column, _), value in zip(order, raw, strict=True)]
    values = list(plan.values)
    if _uniform(order):
        values.extend(keys)
    else:
        for i in range(len(order)):
            values.extend(keys[: i + 1])
    return Plan((*plan.shape, After(order)), values)


def _uniform(order: Order) -> bool:
    return len({direction for _, direction in order}) == 1


# ---------------------------------------------------------------- building SQL
class _Binder:
    """Hands out ``p0``, ``p1``, ... in plan order, typed like their column."""

    def __init__(self) -> None:
        self.next = 0

    def __call__(self, column: ColumnElement[Any]) -> Any:
        name = f"p{self.next}"
        self.next += 1
        return bindparam(name, type_=column.type)


def where_clause(
    mapping: DocTypeMapping, shape: Sequence[Node], shares: Table | None
) -> ColumnElement[bool] | None:
    """The WHERE clause of a shape (soft-deleted rows excluded), with placeholders for values."""
    bind = _Binder()
    conditions = [_build(mapping, node, bind, shares) for node in shape]
    if mapping.soft_delete:
        conditions.append(mapping.table.c.deleted_at.is_(None))
    return and_(*conditions) if conditions else None


def _build(
    mapping: DocTypeMapping, node: Node, bind: _Binder, shares: Table | None
) -> ColumnElement[bool]:
    c = mapping.table.c
    match node:
        case Cmp(column, op):
            col = c[column]
            operators: dict[str, Any] = {
                "=": col.__eq__,
                "!=": col.__ne__,
                ">": col.__gt__,
                ">=": col.__ge__,
                "<": col.__lt__,
                "<=": col.__le__,
                "like": col.like,
                "not like": col.not_like,
                # Case-insensitive on both databases (PostgreSQL's LIKE is not); SQLite
                # has no default escape character, so it is named.
                "ilike": lambda v: col.ilike(v, escape="\\"),
                "not ilike": lambda v: col.not_ilike(v, escape="\\"),
            }
            result: ColumnElement[bool] = operators[op](bind(col))
            return result
        case IsNull(column, negate):
            return c[column].is_not(None) if negate else c[column].is_(None)
        case InList(column, negate, size):
            if size == 0:
                return true() if negate else false()
            items = [bind(c[column]) for _ in range(size)]
            return c[column].not_in(items) if negate else c[column].in_(items)
        case Between(column):
            return c[column].between(bind(c[column]), bind(c[column]))
        case AnyOf(groups):
            if not groups:
                return false()
            return or_(*(and_(*(_build(mapping, n, bind, shares) for n in g)) for g in groups))
        case Shared(allows):
            return _shared_clause(mapping, allows, bind, shares)
        case After(order):
            return _after_clause(mapping, order, bind)
    raise AssertionError(f"unknown query node {node!r}")


def _shared_clause(
    mapping: DocTypeMapping, allows: str | None, bind: _Binder, shares: Table | None
) -> ColumnElement[bool]:
    if shares is None:
        raise InvalidQueryError(f"{mapping.name} cannot be filtered by shares on its database")
    user, doctype = bind(shares.c.user_id), bind(shares.c.doctype)
    if allows is None:
        return false()
    permits = (
        or_(shares.c.read.is_(True), shares.c.write.is_(True))
        if allows == "read"
        else shares.c.write.is_(True)
    )
    shared = select(shares.c.document_id).where(
        shares.c.user_id == user, shares.c.doctype == doctype, permits
    )
    return mapping.table.c.id.in_(shared)


def _after_clause(mapping: DocTypeMapping, order: Order, bind: _Binder) -> ColumnElement[bool]:
    """Rows after the cursor: ``(k1, k2) > (v1, v2)`` (a row value, which an index on the sort
    columns serves) when all keys sort the same way, else
    ``(k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...`` with ``<`` for descending keys."""
    c = mapping.table.c
    if _uniform(order):
        keys = tuple_(*(c[column] for column, _ in order))
        values = tuple_(*(bind(c[column]) for column, _ in order))
        return keys < values if order[0][1] == "desc" else keys > values
    alternatives = []
    for i, (column, direction) in enumerate(order):
        equal = [c[col] == bind(c[col]) for col, _ in order[:i]]
        beyond = c[column] < bind(c[column]) if direction == "desc" else c[column] > bind(c[column])
        alternatives.append(and_(*equal, beyond))
    return or_(*alternatives)


def order_clauses(mapping: DocTypeMapping, order: Order) -> list[UnaryExpression[Any]]:
    return [
        mapping.table.c[column].desc() if direction == "desc" else mapping.table.c[column].asc()
        for column, direction in order
    ]
