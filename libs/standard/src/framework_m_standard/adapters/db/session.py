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
- On PostgreSQL (asyncpg) write-behind statements wait as well. At the COMMIT, a document's
  one write followed by its event's outbox row (``joins``) go as ONE statement in autocommit,
  ``WITH w AS (<write> RETURNING 1) INSERT INTO framework_outbox ... SELECT ... FROM w``: one
  round trip instead of BEGIN, two statements and COMMIT, atomic as any single statement,
  and the event row is written only if the document's row was. Anything else is sent
  statement by statement in a transaction, as without write-behind.
- It keeps the outbox rows written in its transaction (``OutboxWritten``): after the COMMIT
  the unit of work hands them to the outbox relay of this process, which publishes them
  without reading them back (``outbox_target`` names the rows it takes).
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from framework_m_standard.adapters.db.sql_trace import SqlTrace
from framework_m_standard.adapters.db.statements import CompiledQuery, StatementCache, compile_dml
from framework_m_standard.adapters.db.writer_lock import WriterLock

logger = logging.getLogger(__name__)

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
class _PgPending:
    """A deferred statement on PostgreSQL, as SQLAlchemy would run it."""

    statement: Any
    parameters: Mapping[str, Any]
    expect: int | None
    on_failure: FailureHandler | None
    joins: bool


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
        # Direct driver writes: SQLite. PostgreSQL defers whole statements (see ``_flush_pg``).
        self._compiled = compiled if self.dialect.name == "sqlite" else None
        postgres = self.dialect.name == "postgresql" and self.dialect.driver == "asyncpg"
        self._pg = compiled if postgres else None
        self._pg_deferred: list[_PgPending] = []
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
        await self._send_deferred()
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
        joins: bool = False,
    ) -> int:
        """Run an INSERT, UPDATE or DELETE; the number of rows it touched.

        ``expect``: the rows it must touch; otherwise the error ``on_failure(None)`` builds is
        raised. ``on_failure(error)`` also turns a database error of a deferred statement into
        the caller's own error, since the caller is no longer on the stack when it runs.

        ``defer`` (SQLite): the statement may wait for the next statement or go with the COMMIT
        in one hop to the driver's thread; its count is then unknown (-1) and ``expect`` is
        checked when it runs. The writer lock is taken only then, so a transaction whose
        writes are all deferred holds it for a single hop. On PostgreSQL deferred statements
        go at the COMMIT; ``joins``: this single-row INSERT records the event of the write
        deferred just before it and may go in the same statement (see ``_flush_pg``).
        """
        if defer and self._pg is not None and isinstance(parameters, Mapping):
            if self._closed:
                raise sa_exc.ResourceClosedError("This session is closed")
            self._dirty = True
            self._pg_deferred.append(_PgPending(statement, parameters, expect, on_failure, joins))
            return -1
        compiled = None
        if self._compiled is not None and isinstance(parameters, Mapping):
            compiled = self._compile(statement, parameters)
        if compiled is None:
            connection = await self.connection()
            await self._send_deferred()
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
            started = perf_counter()
            try:
                cursor = await driver.execute(compiled.sql, values)
            except sqlite3.Error as exc:
                raise sa_exc.DBAPIError.instance(compiled.sql, values, exc, sqlite3.Error) from exc
            self._trace.took(compiled.sql, values, started)
            count = int(cursor.rowcount)
        if expect is not None and count != expect:
            raise await _failure(on_failure, None)
        return count

    async def _send_deferred(self) -> None:
        """Deferred writes go before a statement that might read or depend on them."""
        if self._deferred:
            await self._flush()
        if self._pg_deferred:
            await self._flush_pg()

    async def _flush(self, *, commit: bool = False) -> None:
        """Run the deferred statements (and the COMMIT) in one hop to the driver's thread."""
        connection = await self.connection()
        driver = self._driver or await self._driver_of(connection)
        deferred, self._deferred = self._deferred, []
        self._driver_pending = True
        trace = self._trace
        run = _in_thread(driver)
        failed: tuple[int, sqlite3.Error | None] | None = None
        if run is None:
            # No way into aiosqlite's thread: one hop per statement.
            for index, item in enumerate(deferred):
                started = perf_counter()
                try:
                    cursor = await driver.execute(item.sql, item.values)
                except sqlite3.Error as exc:
                    failed = (index, exc)
                    break
                trace.took(item.sql, item.values, started)
                if item.expect is not None and cursor.rowcount != item.expect:
                    failed = (index, None)
                    break
            if failed is None and commit:
                await self._commit_driver(driver.commit())
        else:
            sqlite_connection = driver._conn

            def batch() -> tuple[int, sqlite3.Error | None] | None:
                for index, item in enumerate(deferred):
                    started = perf_counter()
                    try:
                        cursor = sqlite_connection.execute(item.sql, item.values)
                    except sqlite3.Error as exc:
                        return index, exc
                    trace.took(item.sql, item.values, started)
                    if item.expect is not None and cursor.rowcount != item.expect:
                        return index, None
                if commit:
                    sqlite_connection.commit()
                return None

            failed = None
            if len(deferred) <= _INLINE_STATEMENTS:
                # In this thread: a few small statements take microseconds, the hop to the
                # driver's thread and back (a queue, a thread switch, the GIL handed over
                # twice) costs far more under load. We hold the writer lock: nothing else
                # uses this connection meanwhile.
                failed = await self._commit_driver(_now(batch))
                if failed is not None and failed[0] == 0 and _thread_bound(failed[1]):
                    failed = None  # a connection bound to its thread: nothing ran; hop
                else:
                    run = None
            if run is not None:
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

    async def _flush_pg(self, *, commit: bool = False) -> None:
        """Run the deferred PostgreSQL statements; at the COMMIT of a document's write and its
        event, as one statement in autocommit (nothing left to commit afterwards)."""
        pending, self._pg_deferred = self._pg_deferred, []
        connection = await self.connection()
        if commit and not connection.in_transaction() and len(pending) == 2:
            joined = self._joined(pending[0], pending[1])
            if joined is not None:
                await self._run_joined(connection, pending[0], joined)
                return
        for item in pending:
            try:
                result = await connection.execute(item.statement, item.parameters)
            except sa_exc.StatementError as exc:
                raise await _failure(item.on_failure, exc) from exc
            if item.expect is not None and int(getattr(result, "rowcount", 0)) != item.expect:
                raise await _failure(item.on_failure, None)

    def _joined(self, write: _PgPending, event: _PgPending) -> tuple[str, list[Any]] | None:
        """The SQL and values of ``write`` and ``event`` as one statement, if they can be."""
        if not event.joins or write.joins or write.expect not in (None, 1):
            return None
        assert self._pg is not None
        first = self._compile(write.statement, write.parameters, self._pg)
        second = self._compile(event.statement, event.parameters, self._pg)
        if first is None or second is None:
            return None
        sql = self._pg.statement(
            ("joined", first.sql, second.sql), lambda: _join_sql(first.sql, second.sql)
        )
        if not sql:
            return None
        return sql, first.parameters(write.parameters) + second.parameters(event.parameters)

    async def _run_joined(
        self, connection: AsyncConnection, write: _PgPending, joined: tuple[str, list[Any]]
    ) -> None:
        sql, values = joined
        driver = self._driver or await self._driver_of(connection)
        if self._trace.listeners:
            self._trace.emit(sql, values)
        started = perf_counter()
        try:
            status = await driver.execute(sql, *values)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) is None:
                # Not the server's answer: the connection itself failed. Past SQLAlchemy, so
                # tell its pool, as its own statement path would have.
                with contextlib.suppress(Exception):
                    await connection.invalidate()
            raise await _failure(write.on_failure, _driver_error(exc, sql, values)) from exc
        self._trace.took(sql, values, started)
        # "INSERT 0 n": the event rows written, one per row the document's write touched.
        count = int(str(status).rsplit(" ", 1)[-1])
        if write.expect is not None and count != write.expect:
            raise await _failure(write.on_failure, None)
        if count == 0:
            self.outbox.handed.clear()  # the write touched nothing: it has no event

    async def _checkpoint(self) -> None:
        """A passive WAL checkpoint in the driver's thread (never blocks readers or waits)."""
        connection = self._connection
        if connection is None or self.dialect.name != "sqlite":
            return
        try:
            driver = self._driver or await self._driver_of(connection)
            # Read to the end: an unfinished statement would block the next COMMIT.
            await driver.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # the commit stands; the next checkpoint catches up
            logger.warning("SQLite WAL checkpoint failed", exc_info=True)

    @staticmethod
    async def _commit_driver(awaitable: Awaitable[R]) -> R:
        try:
            return await awaitable
        except sqlite3.Error as exc:
            raise sa_exc.DBAPIError.instance("COMMIT", [], exc, sqlite3.Error) from exc

    def _compile(
        self,
        statement: Any,
        parameters: Mapping[str, Any],
        cache: StatementCache | None = None,
    ) -> CompiledQuery | None:
        """The statement compiled for these parameter names; None where the driver path does
        not apply (SQL-side defaults that SQLAlchemy would have to run)."""
        if cache is None:  # (a StatementCache has a length: an empty one is falsy)
            cache = self._compiled
        assert cache is not None
        key: Hashable = (statement, tuple(parameters), self.dialect.name)
        return cache.compiled_dml(
            key, lambda: compile_dml(statement, self.dialect, tuple(parameters))
        )

    async def _driver_of(self, connection: AsyncConnection) -> Any:
        raw = await connection.get_raw_connection()
        self._driver = raw.driver_connection
        return self._driver

    async def get_raw_connection(self) -> Any:
        connection = await self.connection()
        await self._send_deferred()
        return await connection.get_raw_connection()

    async def commit(self) -> OutboxWritten:
        """COMMIT; the outbox rows the transaction wrote."""
        if self._pg_deferred:
            await self._flush_pg(commit=True)
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
        if self._locked and self._writer_lock is not None and self._writer_lock.committed():
            await self._checkpoint()
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
        self._pg_deferred = []
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


_VALUES = re.compile(r"(INSERT INTO .+? \(.+?\)) VALUES \((.+)\)", re.DOTALL)
_PLACEHOLDER = re.compile(r"\$(\d+)")


def _join_sql(write: str, event: str) -> str:
    """``WITH w AS (<write> RETURNING 1) INSERT INTO ... SELECT <event values> FROM w``, the
    event's ``$n`` moved past the write's; "" when the SQL is not of that form."""
    match = _VALUES.fullmatch(event)
    if match is None or "RETURNING" in write.upper() or write.lstrip().upper().startswith("WITH"):
        return ""
    offset = max((int(n) for n in _PLACEHOLDER.findall(write)), default=0)
    values = _PLACEHOLDER.sub(lambda m: f"${int(m.group(1)) + offset}", match.group(2))
    return f"WITH w AS ({write} RETURNING 1) {match.group(1)} SELECT {values} FROM w"


def _driver_error(exc: Exception, sql: str, values: Sequence[Any]) -> sa_exc.DBAPIError:
    """An asyncpg error as SQLAlchemy would have raised it (``map_db_error`` reads it)."""
    sqlstate = getattr(exc, "sqlstate", None)
    integrity = isinstance(sqlstate, str) and sqlstate.startswith("23")
    kind = sa_exc.IntegrityError if integrity else sa_exc.DBAPIError
    return kind(sql, list(values), exc)


_INLINE_STATEMENTS = 32
"""Deferred statements a flush runs in the event loop's thread; more go to the driver's."""


async def _now(run: Callable[[], R]) -> R:
    """``run()`` here and now, as an awaitable (what ``_in_thread`` does in the driver's)."""
    return run()


def _thread_bound(error: BaseException | None) -> bool:
    """sqlite3's refusal to be used outside the thread that made the connection."""
    return isinstance(error, sqlite3.ProgrammingError) and "thread" in str(error)


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
    joins: bool = False,
) -> int:
    """``session.write`` where the session is a ``DbSession``; else a plain ``execute``."""
    if isinstance(session, DbSession):
        return await session.write(
            statement, parameters, defer=defer, expect=expect, on_failure=on_failure, joins=joins
        )
    result = await session.execute(statement, parameters)
    count = int(getattr(result, "rowcount", 0))
    if expect is not None and count != expect:
        raise await _failure(on_failure, None)
    return count
