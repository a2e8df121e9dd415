"""Many rows into PostgreSQL with COPY, inside the caller's transaction.

COPY loads rows several times faster than INSERT statements, which matters for bulk saves
and for their outbox entries. It runs on the unit of work's own asyncpg connection, so the
rows commit or roll back with everything else.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy import exc as sa_exc

from framework_m_standard.adapters.db.session import SessionLike

COPY_THRESHOLD = 64
"""Fewer rows than this go as an ordinary INSERT: COPY's set-up costs more than it saves."""


async def copy_rows(session: SessionLike, table: Table, rows: Sequence[dict[str, Any]]) -> bool:
    """COPY ``rows`` (dicts with the same keys) into ``table``; False (nothing done) where
    COPY does not apply."""
    if not copies(session, len(rows)):
        return False
    columns = list(rows[0])
    # itemgetter of several names returns a tuple already; of one name, the bare value.
    pick = operator.itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    return await copy_records(session, table, columns, [pick(row) for row in rows])


def copies(session: SessionLike, count: int) -> bool:
    """Whether ``count`` rows go by COPY on this session's database."""
    dialect = session.dialect
    return count >= COPY_THRESHOLD and dialect.name == "postgresql" and dialect.driver == "asyncpg"


async def copy_records(
    session: SessionLike, table: Table, columns: Sequence[str], records: Sequence[tuple[Any, ...]]
) -> bool:
    """COPY ``records`` (tuples in ``columns`` order) into ``table``; False (nothing done)
    where COPY does not apply."""
    if not copies(session, len(records)):
        return False
    raw = await session.get_raw_connection()
    connection = raw.driver_connection
    if connection is None:
        return False
    if not connection.is_in_transaction():
        # SQLAlchemy opens its transaction at the first statement; COPY must run inside it.
        await session.execute(select(1))
    try:
        await connection.copy_records_to_table(
            table.name,
            records=_converted(table, session.dialect, columns, records),
            columns=list(columns),
            schema_name=table.schema,
        )
    except Exception as exc:
        raise _as_sqlalchemy_error(exc) from exc
    return True


def _converted(
    table: Table, dialect: Any, columns: Sequence[str], records: Sequence[tuple[Any, ...]]
) -> Sequence[tuple[Any, ...]]:
    """``records`` with SQLAlchemy's bind conversions applied only to the columns that have
    one (most values go to asyncpg as they are)."""
    converters = [
        (position, convert)
        for position, name in enumerate(columns)
        if (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    if not converters:
        return records
    converted = []
    for record in records:
        values = list(record)
        for position, convert in converters:
            value = values[position]
            if value is not None:
                values[position] = convert(value)
        converted.append(tuple(values))
    return converted


def _as_sqlalchemy_error(exc: Exception) -> Exception:
    """asyncpg's error as SQLAlchemy would have raised it, for ``map_db_error``."""
    sqlstate = getattr(exc, "sqlstate", None)
    if not isinstance(sqlstate, str):
        return exc
    kind = sa_exc.IntegrityError if sqlstate.startswith("23") else sa_exc.DBAPIError
    return kind("COPY", None, exc)
