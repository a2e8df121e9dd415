"""The session of one unit of work: a SQLAlchemy connection, opened and locked only when needed.

Repositories get a ``DbSession`` from ``SqlAlchemyUnitOfWork``. It behaves like SQLAlchemy's
``AsyncConnection`` for what repositories, hooks and the naming service use (``execute``,
``dialect``, ``get_raw_connection``), with these differences that keep writes cheap:

- The connection is checked out at the first statement, not when the unit of work opens.
  On SQLite the writers share one kept connection (``WriterLock.lend``/``keep``).
- On SQLite the writer lock is taken at the first statement that may write. The sqlite3
  module opens a transaction only before a write, so the reads before it see committed data
  and hold no snapshot that a later write could find stale; optimistic versions catch a row
  changed in between, as on PostgreSQL under READ COMMITTED.
- ``write`` runs an INSERT, UPDATE or DELETE on SQLite straight on the aiosqlite connection:
  one hop to its thread instead of SQLAlchemy's three (cursor, execute, close). The SQL is
  compiled once per statement and set of parameter names.
- In a write-behind unit of work those writes wait and go with the next statement or the
  COMMIT, in one hop, under the writer lock for that hop only (see ``write``).
- It keeps the outbox rows written in its transaction (``OutboxWritten``): after the COMMIT
  the unit of work hands them to the outbox relay of this process, which publishes them
  without reading them back (``outbox_target`` names the rows it takes).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from framework_m_standard.adapters.db.sql_trace import SqlTrace
from framework_m_standard.adapters.db.statements import CompiledQuery, StatementCache, compile_dml
from framework_m_standard.adapters.db.writer_lock import WriterLock

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
R = TypeVar("R")
FailureHandler = Callable[[sa_exc.StatementError | None], Awaitable[BaseException]]
"""Builds the error for a write that failed (``None``: it touched an unexpected row count)."""


@dataclass(slots=True)
class OutboxWritten:
    """The outbox rows of one transaction, as the outbox repository wrote them."""

    handed: list[dict[str, Any]]
    """Rows for ``DbSession.outbox_target`` (status ``handed``): the relay takes them."""
    pending: bool = False
    """Rows that only a relay's poll will find (status ``pending``) were written too."""


@dataclass(slots=True)
class _Pending:
    """A deferred statement: its SQL, values and what must hold when it runs."""

    sql: str
    values: list[Any]
    expect: int | None
    on_failure: FailureHandler | None


class DbSession:
    def __init__(
        self,
        engine: AsyncEngine,
        writer_lock: WriterLock | None = None,
        compiled: StatementCache | None = None,
        trace: SqlTrace | None = None,
        *,
        write_behind: bool = False,
        outbox_target: str | None = None,
    ) -> None:
        self._engine = engine
        self.write_behind = write_behind
        """Repositories may defer their writes to the COMMIT (see ``UnitOfWorkFactoryProtocol``)."""
        self.outbox_target = outbox_target
        """Outbox rows of this target go to this process's relay after the COMMIT (None: no
        relay takes them; they wait for a poll)."""
        self.outbox = OutboxWritten([])
        self._trace = trace or SqlTrace()
        self.dialect: Dialect = engine.dialect
        self._writer_lock = writer_lock
        self._locked = False
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
        self._driver_pending = False
        self._dirty = False
        self._deferred: list[_Pending] = []
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
                if self._connection is None:
                    kept = self._writer_lock.lend()
                    if kept is not None:
                        self._connection, self._driver = kept
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

    async def write(
        self,
        statement: Any,
        parameters: Params,
        *,
        defer: bool = False,
        expect: int | None = None,
        on_failure: FailureHandler | None = None,
    ) -> int:
        """Run an INSERT, UPDATE or DELETE; the number of rows it touched.

        ``expect``: the rows it must touch; otherwise the error ``on_failure(None)`` builds is
        raised. ``on_failure(error)`` also turns a database error of a deferred statement into
        the caller's own error, since the caller is no longer on the stack when it runs.

        ``defer`` (SQLite): the statement may wait for the next statement or go with the COMMIT
        in one hop to the driver's thread; its count is then unknown (-1) and ``expect`` is
        checked when it runs. The writer lock is taken only then, so a transaction whose
        writes are all deferred holds it for a single hop.
        """
        compiled = None
        if self._compiled is not None and isinstance(parameters, Mapping):
            compiled = self._compile(statement, parameters)
        if compiled is None:
            connection = await self.connection()
            if self._deferred:
                await self._flush()
            result = await connection.execute(statement, parameters)
            count = int(getattr(result, "rowcount", 0))
        else:
            values = compiled.parameters(parameters)  # type: ignore[arg-type]
            if self._trace.listeners:
                self._trace.emit(compiled.sql, values)
            if defer:
                if self._closed:
                    raise sa_exc.ResourceClosedError("This session is closed")
                self._dirty = True
                self._deferred.append(_Pending(compiled.sql, values, expect, on_failure))
                return -1
            connection = await self.connection()
            driver = self._driver or await self._driver_of(connection)
            self._driver_pending = True
            if self._deferred:
                await self._flush()
            try:
                cursor = await driver.execute(compiled.sql, values)
            except sqlite3.Error as exc:
                raise sa_exc.DBAPIError.instance(compiled.sql, values, exc, sqlite3.Error) from exc
            count = int(cursor.rowcount)
        if expect is not None and count != expect:
            raise await _failure(on_failure, None)
        return count

    async def _flush(self, *, commit: bool = False) -> None:
        """Run the deferred statements (and the COMMIT) in one hop to the driver's thread."""
        connection = await self.connection()
        driver = self._driver or await self._driver_of(connection)
        deferred, self._deferred = self._deferred, []
        self._driver_pending = True
        run = _in_thread(driver)
        failed: tuple[int, sqlite3.Error | None] | None = None
        if run is None:
            # No way into aiosqlite's thread: one hop per statement.
            for index, item in enumerate(deferred):
                try:
                    cursor = await driver.execute(item.sql, item.values)
                except sqlite3.Error as exc:
                    failed = (index, exc)
                    break
                if item.expect is not None and cursor.rowcount != item.expect:
                    failed = (index, None)
                    break
            if failed is None and commit:
                await self._commit_driver(driver.commit())
        else:
            sqlite_connection = driver._conn

            def batch() -> tuple[int, sqlite3.Error | None] | None:
                for index, item in enumerate(deferred):
                    try:
                        cursor = sqlite_connection.execute(item.sql, item.values)
                    except sqlite3.Error as exc:
                        return index, exc
                    if item.expect is not None and cursor.rowcount != item.expect:
                        return index, None
                if commit:
                    sqlite_connection.commit()
                return None

            failed = await self._commit_driver(run(batch))
        if failed is not None:
            index, cause = failed
            item = deferred[index]
            error = (
                None
                if cause is None
                else sa_exc.DBAPIError.instance(item.sql, item.values, cause, sqlite3.Error)
            )
            raise await _failure(item.on_failure, error)

    @staticmethod
    async def _commit_driver(awaitable: Awaitable[R]) -> R:
        try:
            return await awaitable
        except sqlite3.Error as exc:
            raise sa_exc.DBAPIError.instance("COMMIT", [], exc, sqlite3.Error) from exc

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

    async def commit(self) -> OutboxWritten:
        """COMMIT; the outbox rows the transaction wrote."""
        connection = self._connection
        if connection is not None and connection.in_transaction():
            if self._deferred:
                await self._flush()
            # The DBAPI commit also covers what went straight to the driver.
            await connection.commit()
        elif self._deferred:
            await self._flush(commit=True)
        elif connection is not None and self._driver_pending:
            await self._driver.commit()
        # Only once it worked: after a failed commit, close() still has to roll back.
        self._hand_back()
        written = self.outbox
        self._transaction_ended()
        return written

    async def rollback(self) -> None:
        connection = self._connection
        if connection is not None:
            if connection.in_transaction():
                await connection.rollback()
            elif self._driver_pending:
                await self._driver.rollback()
        self._hand_back()
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
                kept = False
                try:
                    if connection.in_transaction():
                        await connection.rollback()
                    elif pending:
                        # Written past SQLAlchemy and not committed: SQLAlchemy would not know
                        # to roll it back (SQLite's pool does not reset connections).
                        await driver.rollback()
                    kept = self._keep(connection)
                finally:
                    if not kept:
                        await connection.close()
        finally:
            self._transaction_ended()

    def _keep(self, connection: AsyncConnection) -> bool:
        """Give a clean connection to the writer lock for the next writer, if we hold it."""
        if not self._locked or self._writer_lock is None:
            return False
        if connection.closed or connection.invalidated or connection.in_transaction():
            return False
        driver = self._driver if self._driver is not None else _fairy_driver(connection)
        return driver is not None and self._writer_lock.keep((connection, driver))

    def _hand_back(self) -> None:
        """After a commit or rollback: the writers' connection goes back to the lock; a later
        statement of this session borrows it (or another) again."""
        connection = self._connection
        if connection is not None and self._keep(connection):
            self._connection = None
            self._driver = None

    def _transaction_ended(self) -> None:
        # Another writer may go as soon as this transaction is over; a later write here
        # takes the lock again.
        self._driver_pending = self._dirty = False
        self._deferred = []
        if self.outbox.handed or self.outbox.pending:
            self.outbox = OutboxWritten([])
        if self._closed:
            self._driver = None
        if self._locked and self._writer_lock is not None:
            self._locked = False
            self._writer_lock.release()


def _fairy_driver(connection: AsyncConnection) -> Any:
    """The driver connection under a SQLAlchemy connection, when it is already at hand."""
    sync = connection.sync_connection
    fairy = getattr(sync, "connection", None) if sync is not None else None
    return getattr(fairy, "driver_connection", None)


def _in_thread(driver: Any) -> Any:
    """aiosqlite's way to run a function on the connection's own thread (``_execute``, not
    public API: checked for, with the one-statement-per-hop path as the fallback)."""
    run = getattr(driver, "_execute", None)
    return run if callable(run) and hasattr(driver, "_conn") else None


async def _failure(
    on_failure: FailureHandler | None, error: sa_exc.StatementError | None
) -> BaseException:
    if on_failure is not None:
        return await on_failure(error)
    if error is not None:
        return error
    return sa_exc.SQLAlchemyError("A write touched another number of rows than expected")


SessionLike = DbSession | AsyncConnection
"""What repositories accept: a unit of work's session, or a plain SQLAlchemy connection."""


async def execute_write(
    session: Any,
    statement: Any,
    parameters: Params,
    *,
    defer: bool = False,
    expect: int | None = None,
    on_failure: FailureHandler | None = None,
) -> int:
    """``session.write`` where the session is a ``DbSession``; else a plain ``execute``."""
    if isinstance(session, DbSession):
        return await session.write(
            statement, parameters, defer=defer, expect=expect, on_failure=on_failure
        )
    result = await session.execute(statement, parameters)
    count = int(getattr(result, "rowcount", 0))
    if expect is not None and count != expect:
        raise await _failure(on_failure, None)
    return count
