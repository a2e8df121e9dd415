"""SchemaMapper: DocType models -> SQLAlchemy Core tables.

Each DocType becomes one table: ``id`` (UUID primary key), a unique ``name``, the standard
fields, one column per field, ``_version`` under optimistic concurrency, ``deleted_at`` with
soft delete. ``list[ChildDocType]`` fields become child tables with ``parent``, ``parenttype``,
``parentfield`` and ``idx``; Link fields become foreign keys to the target's ``id``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from framework_m_core.domain.base_doctype import CHILD_FIELDS, BaseDocType
from framework_m_core.domain.meta import snake_case
from framework_m_core.exceptions import InvalidDocTypeError
from framework_m_standard.adapters.db.field_registry import FieldRegistry
from framework_m_standard.adapters.db.mapping import ChildRelation, DocTypeMapping, FieldColumn
from framework_m_standard.adapters.db.table_registry import TableRegistry
from framework_m_standard.adapters.db.types import UtcDateTime

NAME_LENGTH = 140
_POSTGRES_IDENTIFIER_LIMIT = 63
_SPECIAL_COLUMNS = {"id", "name", "owner", "modified_by", "creation", "modified", "version"}


class SqlAlchemySchemaMapper:
    """Builds tables into one ``MetaData`` and records each DocType's mapping in a ``TableRegistry``."""

    def __init__(
        self,
        *,
        metadata: MetaData | None = None,
        field_registry: FieldRegistry | None = None,
        table_registry: TableRegistry | None = None,
    ) -> None:
        self.metadata = metadata if metadata is not None else MetaData()
        self.fields = field_registry or FieldRegistry()
        self.tables = table_registry or TableRegistry()
        self._table_names: dict[str, str] = {}
        self._child_parents: dict[str, set[str]] = {}

    def create_tables(self, models: Sequence[type[BaseDocType]]) -> dict[str, Table]:
        """Map every model (children first so parents can point at them); name -> table."""
        for model in models:
            self._table_names[model.get_doctype_name()] = model.get_meta().table_name
            for relation_child in self._child_doctypes(model):
                self._child_parents.setdefault(relation_child.get_doctype_name(), set()).add(
                    model.get_meta().table_name
                )
        result: dict[str, Table] = {}
        ordered = sorted(models, key=lambda m: not m.get_meta().is_child_table)
        for model in ordered:
            result[model.get_doctype_name()] = self.create_table(model)
        return result

    def create_table(self, model: type[BaseDocType]) -> Table:
        """The table of one DocType (built once; later calls return the same table)."""
        name = model.get_doctype_name()
        if self.tables.table_exists(name):
            return self.tables.get_table(name)
        meta = model.get_meta()
        self._table_names.setdefault(name, meta.table_name)
        table_name = meta.table_name
        columns: list[Column[object]] = [
            Column("id", Uuid(), primary_key=True),
            Column("name", String(NAME_LENGTH), nullable=True, unique=not meta.is_child_table),
            Column("owner", String(NAME_LENGTH), nullable=True),
            Column("creation", UtcDateTime(), nullable=False),
            Column("modified", UtcDateTime(), nullable=False),
            Column("modified_by", String(NAME_LENGTH), nullable=True),
        ]
        if meta.concurrency == "optimistic":
            columns.append(Column("_version", BigInteger(), nullable=False, server_default="0"))
        if meta.soft_delete:
            columns.append(Column("deleted_at", UtcDateTime(), nullable=True, index=True))
        if meta.is_child_table:
            columns.extend(self._parent_columns(name))

        field_columns: list[FieldColumn] = []
        children: dict[str, ChildRelation] = {}
        for field_name, info in model.model_fields.items():
            if field_name in _SPECIAL_COLUMNS or (
                meta.is_child_table and field_name in CHILD_FIELDS
            ):
                continue
            shape = self.fields.shape(info)
            if shape.child is not None:
                self.create_table(shape.child)
                children[field_name] = ChildRelation(
                    field=field_name,
                    mapping=self.tables.get_mapping(shape.child.get_doctype_name()),
                )
                continue
            sql_type = self.fields.sql_type(info, shape)
            args: list[ForeignKey] = []
            if shape.link is not None:
                target_table = self._table_names.get(shape.link.target_name) or snake_case(
                    shape.link.target_name
                )
                ondelete = shape.link.on_delete
                if ondelete == "SET NULL" and not shape.nullable:
                    raise InvalidDocTypeError(
                        f"{name}.{field_name}: on_delete='SET NULL' needs an optional field"
                    )
                args.append(ForeignKey(f"{target_table}.id", ondelete=ondelete))
            columns.append(
                Column(
                    field_name,
                    sql_type,
                    *args,
                    nullable=shape.nullable,
                    index=shape.link is not None,
                )
            )
            field_columns.append(FieldColumn(field_name, field_name, is_json=shape.is_json))

        table = Table(table_name, self.metadata, *columns)
        self._add_indexes(table, model)
        mapping = DocTypeMapping(
            doctype=model,
            table=table,
            fields=tuple(field_columns),
            children=children,
            has_version=meta.concurrency == "optimistic",
            soft_delete=meta.soft_delete,
        )
        self.tables.register(mapping)
        return table

    def _child_doctypes(self, model: type[BaseDocType]) -> list[type[BaseDocType]]:
        shapes = (self.fields.shape(info) for info in model.model_fields.values())
        return [shape.child for shape in shapes if shape.child is not None]

    def _parent_columns(self, child_name: str) -> list[Column[object]]:
        parents = self._child_parents.get(child_name, set())
        # A child DocType used by one parent gets a real foreign key; shared ones cannot.
        fk = (
            [ForeignKey(f"{next(iter(parents))}.id", ondelete="CASCADE")]
            if len(parents) == 1
            else []
        )
        return [
            Column("parent", Uuid(), *fk, nullable=True),
            Column("parenttype", String(NAME_LENGTH), nullable=True),
            Column("parentfield", String(NAME_LENGTH), nullable=True),
            Column("idx", Integer(), nullable=False, server_default="0"),
        ]

    def _add_indexes(self, table: Table, model: type[BaseDocType]) -> None:
        meta = model.get_meta()
        wanted: list[tuple[str, ...]] = []
        if meta.is_child_table:
            wanted.append(("parent", "parentfield", "idx"))
        else:
            wanted.extend([("owner",), ("creation",), ("modified",)])
        wanted.extend(meta.indexes)
        seen: set[tuple[str, ...]] = set()
        for cols in wanted:
            if cols in seen:
                continue
            seen.add(cols)
            missing = [c for c in cols if c not in table.c]
            if missing:
                raise InvalidDocTypeError(
                    f"{meta.name}.Meta.indexes names unknown fields {missing}", doctype=meta.name
                )
            Index(_index_name("ix", table.name, cols), *(table.c[c] for c in cols))
        for cols in meta.unique_together:
            table.append_constraint(
                UniqueConstraint(*cols, name=_index_name("uq", table.name, cols))
            )


def _index_name(prefix: str, table: str, cols: Sequence[str]) -> str:
    name = f"{prefix}_{table}_{'_'.join(cols)}"
    if len(name) <= _POSTGRES_IDENTIFIER_LIMIT:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: _POSTGRES_IDENTIFIER_LIMIT - 9]}_{digest}"
