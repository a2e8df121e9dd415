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

    @property
    def name(self) -> str:
        return self.doctype.get_doctype_name()

    @property
    def is_child(self) -> bool:
        return self.doctype.get_meta().is_child_table

    def queryable_columns(self) -> frozenset[str]:
        """Names a filter or sort may use: the table's columns (``version`` maps to ``_version``)."""
        return frozenset(c.name for c in self.table.columns)
