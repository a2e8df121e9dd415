"""The session of one unit of work: a SQLAlchemy connection, opened and locked only when needed.

Repositories get a ``DbSession`` from ``SqlAlchemyUnitOfWork``. It behaves like SQLAlchemy's
``AsyncConnection`` for what repositories, hooks and the naming service use (``execute``,
``dialect``, ``get_raw_connection``), with three differences that keep writes cheap:

- The connection is checked out at the first statement, not when the unit of work opens.
- On SQLite the writer lock is taken at the first statement that may write. The sqlite3
  module opens a transaction only before a write, so the reads before it see committed data
  and hold no snapshot that a later write could find stale; optimistic versions catch a row
  changed in between, as on PostgreSQL under READ COMMITTED.
- ``write`` runs an INSERT, UPDATE or DELETE on SQLite straight on the aiosqlite connection:
  one hop to its thread instead of SQLAlchemy's three (cursor, execute, close). The SQL is
  compiled once per statement and set of parameter names.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from framework_m_standard.adapters.db.sql_trace import SqlTrace
from framework_m_standard.adapters.db.statements import CompiledQuery, StatementCache, compile_dml
from framework_m_standard.adapters.db.writer_lock import WriterLock

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class DbSession:
    def __init__(
        self,
        engine: AsyncEngine,
        writer_lock: WriterLock | None = None,
        compiled: StatementCache | None = None,
        trace: SqlTrace | None = None,
    ) -> None:
        self._engine = engine
        self._trace = trace or SqlTrace()
        self.dialect: Dialect = engine.dialect
        self._writer_lock = writer_lock
        self._locked = False
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
        self._driver_pending = False
        self._dirty = False
        self._deferred: list[tuple[str, list[Any]]] = []
        # Direct driver writes: SQLite only (asyncpg gains little over SQLAlchemy's path).
        self._compiled = compiled if self.dialect.name == "sqlite" else None
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def clean(self) -> bool:
        """True until the first statement that may write: reads so far saw committed data."""
        return not self._dirty

    async def connection(self, *, write: bool = True) -> AsyncConnection:
        """SQLAlchemy's connection of this session; ``write`` takes the writer lock first."""
        if self._closed:
            raise sa_exc.ResourceClosedError("This session is closed")
        if write:
            if self._writer_lock is not None and not self._locked:
                await self._writer_lock.acquire()
                self._locked = True
            self._dirty = True
        if self._connection is None:
            self._connection = await self._engine.connect()
        return self._connection

    async def execute(self, statement: Any, parameters: Params = None) -> Result[Any]:
        """Run any SQLAlchemy statement, as ``AsyncConnection.execute`` does."""
        reads = getattr(statement, "is_select", False) and (
            getattr(statement, "_for_update_arg", None) is None
        )
        connection = await self.connection(write=not reads)
        if self._deferred:
            await self._flush()
        result: Result[Any] = await connection.execute(statement, parameters)
        return result

    async def write(self, statement: Any, parameters: Params, *, defer: bool = False) -> int:
        """Run an INSERT, UPDATE or DELETE; the number of rows it touched.

        ``defer``: a row nobody needs before the commit (an outbox entry) may wait for the
        next statement or go with the COMMIT in the same hop; its count is then unknown (-1).
        On SQLite that shortens the time the writer lock is held by one hop per transaction.
        """
        connection = await self.connection()
        compiled = None
        if self._compiled is not None and isinstance(parameters, Mapping):
            compiled = self._compile(statement, parameters)
        if compiled is None:
            if self._deferred:
                await self._flush()
            result = await connection.execute(statement, parameters)
            return int(getattr(result, "rowcount", 0))
        assert isinstance(parameters, Mapping)
        driver = self._driver or await self._driver_of(connection)
        values = compiled.parameters(parameters)
        if self._trace.listeners:
            self._trace.emit(compiled.sql, values)
        self._driver_pending = True
        if defer and _in_thread(driver) is not None:
            self._deferred.append((compiled.sql, values))
            return -1
        if self._deferred:
            await self._flush()
        try:
            cursor = await driver.execute(compiled.sql, values)
        except sqlite3.Error as exc:
            raise sa_exc.DBAPIError.instance(compiled.sql, values, exc, sqlite3.Error) from exc
        return int(cursor.rowcount)

    async def _flush(self, *, commit: bool = False) -> None:
        """Run the deferred statements (and the COMMIT) in one hop to the driver's thread."""
        deferred, self._deferred = self._deferred, []
        driver = self._driver
        run = _in_thread(driver)
        assert run is not None
        sqlite_connection = driver._conn

        def batch() -> None:
            for sql, values in deferred:
                sqlite_connection.execute(sql, values)
            if commit:
                sqlite_connection.commit()

        try:
            await run(batch)
        except sqlite3.Error as exc:
            sql, values = deferred[0] if deferred else ("COMMIT", [])
            raise sa_exc.DBAPIError.instance(sql, values, exc, sqlite3.Error) from exc

    def _compile(self, statement: Any, parameters: Mapping[str, Any]) -> CompiledQuery | None:
        """The statement compiled for these parameter names; None where the driver path does
        not apply (SQL-side defaults that SQLAlchemy would have to run)."""
        assert self._compiled is not None
        key: Hashable = (statement, tuple(parameters))
        return self._compiled.compiled_dml(
            key, lambda: compile_dml(statement, self.dialect, tuple(parameters))
        )

    async def _driver_of(self, connection: AsyncConnection) -> Any:
        raw = await connection.get_raw_connection()
        self._driver = raw.driver_connection
        return self._driver

    async def get_raw_connection(self) -> Any:
        connection = await self.connection()
        if self._deferred:
            await self._flush()
        return await connection.get_raw_connection()

    async def commit(self) -> None:
        connection = self._connection
        if connection is not None:
            if connection.in_transaction():
                if self._deferred:
                    await self._flush()
                # The DBAPI commit also covers what went straight to the driver.
                await connection.commit()
            elif self._deferred:
                await self._flush(commit=True)
            elif self._driver_pending:
                await self._driver.commit()
        # Only once it worked: after a failed commit, close() still has to roll back.
        self._transaction_ended()

    async def rollback(self) -> None:
        connection = self._connection
        if connection is not None:
            if connection.in_transaction():
                await connection.rollback()
            elif self._driver_pending:
                await self._driver.rollback()
        self._transaction_ended()

    async def close(self) -> None:
        """Discard what was not committed and return the connection (closing it rolls back)."""
        if self._closed:
            return
        self._closed = True
        connection, self._connection = self._connection, None
        driver, pending = self._driver, self._driver_pending
        try:
            if connection is not None:
                try:
                    if pending and not connection.in_transaction():
                        # Written past SQLAlchemy and not committed: SQLAlchemy would not know
                        # to roll it back (SQLite's pool does not reset connections).
                        await driver.rollback()
                finally:
                    await connection.close()
        finally:
            self._transaction_ended()

    def _transaction_ended(self) -> None:
        # Another writer may go as soon as this transaction is over; a later write here
        # takes the lock again.
        self._driver_pending = self._dirty = False
        self._deferred = []
        if self._closed:
            self._driver = None
        if self._locked and self._writer_lock is not None:
            self._locked = False
            self._writer_lock.release()


def _in_thread(driver: Any) -> Any:
    """aiosqlite's way to run a function on the connection's own thread (``_execute``, not
    public API: checked for, with the one-statement-per-hop path as the fallback)."""
    run = getattr(driver, "_execute", None)
    return run if callable(run) and hasattr(driver, "_conn") else None


SessionLike = DbSession | AsyncConnection
"""What repositories accept: a unit of work's session, or a plain SQLAlchemy connection."""


async def execute_write(
    session: Any, statement: Any, parameters: Params, *, defer: bool = False
) -> int:
    """``session.write`` where the session is a ``DbSession``; else a plain ``execute``."""
    if isinstance(session, DbSession):
        return await session.write(statement, parameters, defer=defer)
    result = await session.execute(statement, parameters)
    return int(getattr(result, "rowcount", 0))
