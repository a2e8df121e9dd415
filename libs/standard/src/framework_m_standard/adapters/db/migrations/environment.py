"""What our ``env.py`` runs, and the options shared with ``compare_metadata``.

Only tables the runtime maps for this database take part in autogenerate: anything else in
the database (another application's tables, Alembic's own version table) is never altered
or dropped.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from sqlalchemy import Connection, MetaData
from sqlalchemy.dialects.postgresql import JSONB

from framework_m_standard.adapters.db.types import ExactDecimal, UtcDateTime

VERSION_TABLE = "framework_alembic_version"

# config.attributes keys set by MigrationManager.
CONNECTION = "connection"
TARGET_METADATA = "target_metadata"
TABLE_NAMES = "table_names"

_TYPES_ALIAS = "fm_types"


def context_options(
    connection: Connection, metadata: MetaData, table_names: Collection[str]
) -> dict[str, Any]:
    """The options for ``context.configure`` / ``MigrationContext.configure``."""
    owned = frozenset(table_names)

    def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
        if type_ == "table":
            return name in owned
        return True

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        if type_ == "table":
            return name in owned
        return True

    return {
        "connection": connection,
        "target_metadata": metadata,
        "render_as_batch": connection.dialect.name == "sqlite",
        "compare_type": True,
        "version_table": VERSION_TABLE,
        "include_name": include_name,
        "include_object": include_object,
        "render_item": render_item,
    }


def run_migrations_online(config: Config) -> None:
    """Configure Alembic on the connection ``MigrationManager`` handed over and run."""
    connection: Connection = config.attributes[CONNECTION]
    metadata: MetaData = config.attributes[TARGET_METADATA]
    table_names: Collection[str] = config.attributes[TABLE_NAMES]
    context.configure(**context_options(connection, metadata, table_names))
    with context.begin_transaction():
        context.run_migrations()


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render types from outside SQLAlchemy so that the revision file imports them."""
    if type_ != "type":
        return False
    module = type(obj).__module__
    if isinstance(obj, JSONB):
        # Alembic renders JSONB's astext_type as a bare ``Text()`` unless the migration runs
        # on PostgreSQL; the JSON variant of our tables must render the same everywhere.
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "postgresql.JSONB()"
    if module.startswith("sqlalchemy."):
        return False
    if isinstance(obj, ExactDecimal):
        autogen_context.imports.add(
            f"from framework_m_standard.adapters.db import types as {_TYPES_ALIAS}"
        )
        return f"{_TYPES_ALIAS}.ExactDecimal(precision={obj.precision!r}, scale={obj.scale!r})"
    if isinstance(obj, UtcDateTime):
        autogen_context.imports.add(
            f"from framework_m_standard.adapters.db import types as {_TYPES_ALIAS}"
        )
        return f"{_TYPES_ALIAS}.UtcDateTime()"
    # Any other custom type (an app's TypeDecorator): module-qualified, with its import.
    autogen_context.imports.add(f"import {module}")
    return f"{module}.{obj!r}"
