"""How one DocType maps onto its table: what the repository needs to read and write rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Table

from framework_m_core.domain.base_doctype import BaseDocType


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

    def __post_init__(self) -> None:
        # Computed once here instead of on every query and every write.
        queryable = frozenset(c.name for c in self.table.columns) - {"deleted_at"}
        object.__setattr__(self, "columns", queryable)
        object.__setattr__(
            self, "json_fields", frozenset(f.field for f in self.fields if f.is_json)
        )

    @property
    def name(self) -> str:
        return self.doctype.get_doctype_name()

    @property
    def is_child(self) -> bool:
        return self.doctype.get_meta().is_child_table
