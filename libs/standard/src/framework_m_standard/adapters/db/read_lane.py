"""Read lanes: committed reads straight on the driver, one round trip per query.

Going through a SQLAlchemy connection costs a pool checkout, a reset on return and, on
aiosqlite, several hops to the connection's thread per statement. Reads that are not part
of a unit of work need none of that: a lane keeps its own driver connections (aiosqlite in
autocommit mode, an asyncpg pool) and runs precompiled SQL on them.

On SQLite a query that reads one row by its primary key (``point``) runs on a plain sqlite3
connection in the caller's thread: the lookup costs a few microseconds, less than the hop to
an aiosqlite thread and back (a queue, a thread switch, the GIL handed over twice). It never
waits for a lock: a busy database sends it down the threaded path.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
from collections.abc import Sequence
from time import perf_counter
from typing import Any, Protocol

import aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from framework_m_standard.adapters.db.sql_trace import SqlTrace
from framework_m_standard.adapters.db.statements import CompiledQuery


class ReadLane(Protocol):
    async def fetch(
        self, query: CompiledQuery, params: Sequence[Any], *, point: bool = False
    ) -> list[Sequence[Any]]:
        """All rows of ``query`` run with positional ``params``; ``point``: the query reads at
        most one row, by primary key."""
        ...

    async def close(self) -> None: ...


class SqliteReadLane:
    """A few aiosqlite connections of their own (WAL lets them read while another writes)."""

    def __init__(
        self, path: str, size: int = 2, *, timeout: float = 30.0, trace: SqlTrace | None = None
    ) -> None:
        self._trace = trace or SqlTrace()
        self._path = path
        self._timeout = timeout
        self._size = max(1, size)
        self._connections: list[aiosqlite.Connection] = []
        self._turn = itertools.count()
        self._lock = asyncio.Lock()
        self._inline: sqlite3.Connection | None = None

    async def fetch(
        self, query: CompiledQuery, params: Sequence[Any], *, point: bool = False
    ) -> list[Sequence[Any]]:
        if point:
            rows = self._fetch_inline(query, params)
            if rows is not None:
                return rows
        connections = self._connections or await self._open()
        connection = connections[next(self._turn) % len(connections)]
        if self._trace.listeners:
            self._trace.emit(query.sql, params)
        started = perf_counter()
        rows = list(await connection.execute_fetchall(query.sql, params))
        self._trace.took(query.sql, params, started)
        return rows

    async def _open(self) -> list[aiosqlite.Connection]:
        async with self._lock:
            if not self._connections:
                opened = []
                for _ in range(self._size):
                    connection = await aiosqlite.connect(
                        self._path, timeout=self._timeout, isolation_level=None
                    )
                    # A lane only reads: refuse writes even if a bug sent one here.
                    await connection.execute("PRAGMA query_only=ON")
                    opened.append(connection)
                self._connections = opened
        return self._connections

    def _fetch_inline(self, query: CompiledQuery, params: Sequence[Any]) -> list[Any] | None:
        """The rows, read in this thread; None when the database is busy (locked)."""
        connection = self._inline
        if connection is None:
            # No busy wait: this runs on the event loop. check_same_thread off: every use is
            # one synchronous call, never interleaved (SQLite serialises the connection).
            connection = sqlite3.connect(
                self._path, timeout=0, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA query_only=ON")
            self._inline = connection
        if self._trace.listeners:
            self._trace.emit(query.sql, params)
        started = perf_counter()
        try:
            rows = connection.execute(query.sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            # Extended codes keep the primary code in their low byte.
            if exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                return None
            raise
        self._trace.took(query.sql, params, started)
        return rows

    async def close(self) -> None:
        connections, self._connections = self._connections, []
        inline, self._inline = self._inline, None
        if inline is not None:
            inline.close()
        for connection in connections:
            await connection.close()


class AsyncpgReadLane:
    """An asyncpg pool beside SQLAlchemy's, with the same JSON codecs SQLAlchemy installs."""

    def __init__(self, dsn: str, size: int = 5, *, trace: SqlTrace | None = None) -> None:
        self._trace = trace or SqlTrace()
        self._dsn = dsn
        self._size = max(1, size)
        self._pool: Any = None
        self._lock = asyncio.Lock()

    async def fetch(
        self, query: CompiledQuery, params: Sequence[Any], *, point: bool = False
    ) -> list[Sequence[Any]]:
        pool = self._pool or await self._open()
        if self._trace.listeners:
            self._trace.emit(query.sql, params)
        started = perf_counter()
        rows: list[Sequence[Any]] = await pool.fetch(query.sql, *params)
        self._trace.took(query.sql, params, started)
        return rows

    async def _open(self) -> Any:
        import asyncpg  # type: ignore[import-untyped]

        async with self._lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=1,
                    max_size=self._size,
                    init=_json_codecs,
                    reset=_nothing_to_reset,
                )
        return self._pool

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


async def _nothing_to_reset(connection: Any) -> None:
    """A lane connection runs single SELECTs in autocommit and changes no session state, so
    there is nothing to undo on its way back to the pool: asyncpg's default reset (advisory
    unlocks, CLOSE ALL, UNLISTEN, RESET ALL) is one more round trip after every read. An open
    transaction would still be rolled back by asyncpg before this is called."""


async def _json_codecs(connection: Any) -> None:
    for name, skip in (("json", 0), ("jsonb", 1)):
        # Binary format; jsonb values carry a version byte first.
        await connection.set_type_codec(
            name,
            encoder=str.encode if not skip else (lambda text: b"\x01" + text.encode()),
            decoder=(lambda data, skip=skip: json.loads(data[skip:].decode())),
            schema="pg_catalog",
            format="binary",
        )


class EngineReadLane:
    """Through the engine's own connections: in-memory SQLite (one shared connection) and
    any dialect without a lane of its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def fetch(
        self, query: CompiledQuery, params: Sequence[Any], *, point: bool = False
    ) -> list[Sequence[Any]]:
        async with self._engine.connect() as connection:
            result = await connection.exec_driver_sql(query.sql, tuple(params))
            return list(result.all())

    async def close(self) -> None:
        """The engine is disposed by its owner."""


def build_read_lane(
    url: str,
    engine: AsyncEngine,
    *,
    size: int,
    sqlite_timeout: float = 30.0,
    trace: SqlTrace | None = None,
) -> ReadLane:
    parsed = make_url(url)
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    on_disk = parsed.database not in (None, "", ":memory:") and "mode" not in parsed.query
    if backend == "sqlite" and driver == "aiosqlite" and on_disk:
        return SqliteReadLane(
            str(parsed.database), size=min(size, 4), timeout=sqlite_timeout, trace=trace
        )
    if backend == "postgresql" and driver == "asyncpg":
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        return AsyncpgReadLane(dsn, size=size, trace=trace)
    return EngineReadLane(engine)
