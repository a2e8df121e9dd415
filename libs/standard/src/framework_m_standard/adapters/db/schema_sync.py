"""Schema sync for development: create missing tables and add missing nullable columns.

Anything that could lose or rewrite data (dropped or retyped columns, new required columns)
is only reported; those changes go through Alembic migrations (``m migrate``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Dialect, MetaData, Table, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.schema import CreateColumn

logger = logging.getLogger("framework_m.db.schema")


@dataclass
class SchemaChanges:
    new_tables: list[str] = field(default_factory=list)
    new_columns: list[tuple[str, str]] = field(default_factory=list)
    needs_migration: list[str] = field(default_factory=list)
    """Differences schema sync will not apply by itself, described for a human."""

    @property
    def empty(self) -> bool:
        return not (self.new_tables or self.new_columns or self.needs_migration)


def detect_schema_changes(connection: Connection, tables: Iterable[Table]) -> SchemaChanges:
    """Compare the mapped tables with the live database."""
    inspector = inspect(connection)
    dialect = connection.dialect
    existing = set(inspector.get_table_names())
    changes = SchemaChanges()
    for table in tables:
        if table.name not in existing:
            changes.new_tables.append(table.name)
            continue
        live = {col["name"]: col for col in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in live:
                if column.nullable or column.server_default is not None:
                    changes.new_columns.append((table.name, column.name))
                else:
                    changes.needs_migration.append(
                        f"{table.name}.{column.name}: new required column"
                    )
            elif _ddl_type(live[column.name]["type"], dialect) != _ddl_type(column.type, dialect):
                changes.needs_migration.append(
                    f"{table.name}.{column.name}: type {live[column.name]['type']} -> {column.type}"
                )
        for name in live.keys() - set(table.c.keys()):
            changes.needs_migration.append(f"{table.name}.{name}: column no longer in the DocType")
    return changes


def apply_schema_sync(
    connection: Connection, metadata: MetaData, tables: list[Table]
) -> SchemaChanges:
    changes = detect_schema_changes(connection, tables)
    new = [t for t in tables if t.name in set(changes.new_tables)]
    metadata.create_all(connection, tables=new)
    preparer = connection.dialect.identifier_preparer
    for table_name, column_name in changes.new_columns:
        table = metadata.tables[table_name]
        column_ddl = CreateColumn(table.c[column_name]).compile(dialect=connection.dialect)
        # Only nullable (or defaulted) columns get here: existing rows stay valid.
        connection.execute(
            text(f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {column_ddl}")
        )
    for message in changes.needs_migration:
        logger.warning("schema differs and needs a migration: %s", message)
    return changes


async def sync_schema(
    engine: AsyncEngine, metadata: MetaData, tables: list[Table]
) -> SchemaChanges:
    """Bring ``tables`` into the database behind ``engine`` (one transaction).

    One process at a time: processes that start together (``m start --workers 2`` on a fresh
    database) would each find a table missing and all but one fail to create it. So the
    transaction first takes the database's write lock (SQLite: ``BEGIN IMMEDIATE``) or an
    advisory lock (PostgreSQL); the others wait for it, then find the tables there."""
    async with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            # pysqlite opens a transaction only before DML: DDL and reads would run unlocked.
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif connection.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
        return await connection.run_sync(apply_schema_sync, metadata, tables)


_LOCK = 0x464D_5343_4845_4D41  # "FMSCHEMA": pg_advisory_xact_lock key of schema sync


def _ddl_type(sql_type: Any, dialect: Dialect) -> str:
    """The type as the database spells it, so that a reflected type compares with a mapped one."""
    compiled = " ".join(str(sql_type.compile(dialect=dialect)).upper().split())
    return _SYNONYMS.get(compiled, compiled)


# Types PostgreSQL reports under another name than the one SQLAlchemy emits.
_SYNONYMS = {"FLOAT": "DOUBLE PRECISION", "DOUBLE": "DOUBLE PRECISION"}
