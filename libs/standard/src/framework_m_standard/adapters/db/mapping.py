"""How one DocType maps onto its table: what the repository needs to read and write rows."""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, get_args

from sqlalchemy import Table

from framework_m_core.domain.base_doctype import BaseDocType

STANDARD_COLUMNS = ("id", "name", "owner", "creation", "modified", "modified_by")
CHILD_COLUMNS = ("parent", "parenttype", "parentfield", "idx")


class FieldColumn(NamedTuple):
    field: str
    column: str
    is_json: bool = False


@dataclass(frozen=True, slots=True)
class ChildRelation:
    """``Parent.<field>: list[Child]`` stored as rows of the child's table."""

    field: str
    mapping: DocTypeMapping


@dataclass(frozen=True, slots=True)
class DocTypeMapping:
    doctype: type[BaseDocType]
    table: Table
    fields: tuple[FieldColumn, ...]
    """Columns of the DocType's own fields (standard columns are handled by the repository)."""
    children: dict[str, ChildRelation] = field(default_factory=dict)
    has_version: bool = True
    soft_delete: bool = False
    columns: frozenset[str] = field(init=False)
    """Names a filter or sort may use: the table's columns, without ``deleted_at``."""
    json_fields: frozenset[str] = field(init=False)
    is_child: bool = field(init=False)
    row_columns: tuple[str, ...] = field(init=False)
    """The columns of a row, in the order of ``values_of``."""
    values_of: Callable[[Any], tuple[Any, ...]] = field(init=False)
    """A document's attributes for ``row_columns``, as a tuple (``operator.attrgetter``)."""
    enum_positions: tuple[int, ...] = field(init=False)
    """Positions whose field's type admits an Enum: stored as the member's value."""
    json_positions: tuple[tuple[int, str], ...] = field(init=False)
    """Positions of JSON fields, with the field: stored as the field's JSON-mode dump."""
    column_of: dict[str, str] = field(init=False)
    """Field -> column, for every column of a row."""

    def __post_init__(self) -> None:
        # Computed once here instead of on every query and every write.
        queryable = frozenset(c.name for c in self.table.columns) - {"deleted_at"}
        is_child = self.doctype.get_meta().is_child_table
        pairs = [(name, name) for name in STANDARD_COLUMNS]
        if self.has_version:
            pairs.append(("version", "_version"))
        if is_child:
            pairs += [(name, name) for name in CHILD_COLUMNS]
        own = len(pairs)
        pairs += [(f.field, f.column) for f in self.fields]
        model_fields = self.doctype.model_fields
        enums = tuple(
            own + n
            for n, f in enumerate(self.fields)
            if not f.is_json
            and (f.field not in model_fields or _may_hold_enum(model_fields[f.field].annotation))
        )
        set_ = object.__setattr__
        set_(self, "columns", queryable)
        set_(self, "json_fields", frozenset(f.field for f in self.fields if f.is_json))
        set_(self, "is_child", is_child)
        set_(self, "row_columns", tuple(column for _, column in pairs))
        set_(self, "values_of", operator.attrgetter(*(name for name, _ in pairs)))
        set_(self, "enum_positions", enums)
        set_(self, "column_of", dict(pairs))
        set_(
            self,
            "json_positions",
            tuple((own + n, f.field) for n, f in enumerate(self.fields) if f.is_json),
        )

    @property
    def name(self) -> str:
        return self.doctype.get_doctype_name()


def _may_hold_enum(annotation: Any) -> bool:
    """Whether a value of this type can be an Enum member (an Enum class, a Literal of
    members, or a type that admits anything)."""
    if annotation is Any or annotation is object or isinstance(annotation, enum.Enum):
        return True
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return True
    return any(_may_hold_enum(arg) for arg in get_args(annotation))
