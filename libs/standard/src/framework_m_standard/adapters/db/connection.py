"""Engines for every configured database bind, built once at startup."""

from __future__ import annotations

import time
from typing import Any

import msgspec
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.settings import DatabasePoolSettings, Settings
from framework_m_standard.adapters.db.read_lane import ReadLane, build_read_lane
from framework_m_standard.adapters.db.sql_trace import SqlTrace
from framework_m_standard.adapters.db.writer_lock import WriterLock

SQLITE_BUSY_TIMEOUT_S = 30.0
PING_AFTER_IDLE_S = 1.0
"""``pool_pre_ping`` checks a connection that sat in the pool at least this long."""
_IDLE_SINCE = "framework_m_idle_since"


def create_engine(
    url: str,
    *,
    pool: DatabasePoolSettings | None = None,
    echo: bool = False,
    ping_after_idle: float = PING_AFTER_IDLE_S,
) -> AsyncEngine:
    """An async engine for ``url`` with the pool options (SQLite gets WAL, foreign keys, a busy timeout).

    ``pool_pre_ping`` pings a connection on its way out of the pool only when it sat there
    ``ping_after_idle`` seconds or more (see ``_ping_when_idle``)."""
    pool = pool or DatabasePoolSettings()
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigurationError(f"Invalid database URL {url!r}: {exc}") from exc
    options: dict[str, Any] = {"echo": echo, "json_serializer": json_text}
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        # Not bound to the driver's thread: a writer holding the WriterLock may run its
        # batch on the connection from the event loop's thread (see ``DbSession._flush``).
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        if in_memory:
            options["poolclass"] = StaticPool
        # No rollback on every return to the pool (one more hop to the driver's thread): a
        # Connection rolls back what it began when closed, and DbSession what it wrote past it.
        options["pool_reset_on_return"] = None
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(wal=not in_memory))
        return engine
    options.update(
        pool_size=pool.pool_size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.pool_timeout,
        pool_recycle=pool.pool_recycle,
    )
    engine = create_async_engine(url, **options)
    if pool.pool_pre_ping:
        _ping_when_idle(engine, ping_after_idle)
    if parsed.get_backend_name() == "postgresql":
        # Many-row INSERTs as multi-row VALUES statements (1,000 rows each), not one statement
        # per row: several times faster for bulk saves and outbox batches on PostgreSQL.
        engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


def _ping_when_idle(engine: AsyncEngine, after: float) -> None:
    """Pre-ping, but only connections that were idle ``after`` seconds or more.

    SQLAlchemy's own ``pool_pre_ping`` pings at every checkout: on asyncpg that is a BEGIN, a
    query and a ROLLBACK, three round trips before every unit of work. A connection handed
    back a moment ago is alive as far as anyone can tell; one that sat idle may have been
    closed by the server, a proxy or a restart, and is checked. A connection that dies while
    in use fails its statement as it would have anyway; SQLAlchemy then sees the disconnect
    and replaces the pool's older connections.
    """
    pool = engine.sync_engine.pool
    dialect = engine.dialect

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < after:
            return  # new, or back in the pool only a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # Like pre-ping: drop this one and the pool's older connections, take a new one.
            raise sa_exc.InvalidatePoolError() from exc
        if not alive:
            raise sa_exc.InvalidatePoolError()

    event.listen(pool, "checkin", checkin)
    event.listen(pool, "checkout", checkout)


_json = msgspec.json.Encoder()


def json_text(value: Any) -> str:
    """JSON column values as text: msgspec writes them several times faster than ``json``
    (bulk saves write one event payload per document)."""
    return _json.encode(value).decode()


def _sqlite_pragmas(*, wal: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if wal:
            # WAL lets readers run while one writer writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # No checkpoint inside a COMMIT: a commit may run on the event loop's thread, and a
            # checkpoint takes milliseconds. Writers checkpoint in the driver's thread instead,
            # every WriterLock.CHECKPOINT_EVERY commits.
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    return on_connect


class ConnectionFactory:
    """Named engines (``default`` plus ``db_binds``), created lazily and disposed together."""

    def __init__(
        self,
        urls: dict[str, str],
        *,
        pool: DatabasePoolSettings | None = None,
        echo: bool = False,
        slow_query_ms: float = 0,
    ) -> None:
        if "default" not in urls:
            raise ConfigurationError("No default database URL configured")
        self._urls = dict(urls)
        self._pool = pool
        self._echo = echo
        self._engines: dict[str, AsyncEngine] = {}
        self._lanes: dict[str, ReadLane] = {}
        self._writer_locks: dict[str, WriterLock | None] = {}
        self.trace = SqlTrace(echo=echo, slow_ms=slow_query_ms)
        """The SQL sent past SQLAlchemy's engine events (read lanes, driver-level writes), and
        the slow-query log of every path."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionFactory:
        return cls(
            settings.bind_urls(),
            pool=settings.db_pool,
            echo=settings.db_echo,
            slow_query_ms=settings.db_slow_query_ms,
        )

    @property
    def binds(self) -> list[str]:
        return list(self._urls)

    def get_engine(self, bind: str = "default") -> AsyncEngine:
        engine = self._engines.get(bind)
        if engine is None:
            url = self._urls.get(bind)
            if url is None:
                raise ConfigurationError(
                    f"Unknown database bind {bind!r}; configured: {sorted(self._urls)}"
                )
            engine = self._engines[bind] = create_engine(url, pool=self._pool, echo=self._echo)
            self.trace.watch_engine(engine)
        return engine

    def read_lane(self, bind: str = "default") -> tuple[ReadLane, Dialect]:
        """The read lane of a bind (see ``read_lane.py``) and the dialect its SQL is for."""
        engine = self.get_engine(bind)
        lane = self._lanes.get(bind)
        if lane is None:
            size = (self._pool or DatabasePoolSettings()).pool_size
            lane = self._lanes[bind] = build_read_lane(
                self._urls[bind],
                engine,
                size=size,
                sqlite_timeout=SQLITE_BUSY_TIMEOUT_S,
                trace=self.trace,
            )
        return lane, engine.dialect

    def writer_lock(self, bind: str = "default") -> WriterLock | None:
        """The lock that lets one unit of work at a time write to a SQLite bind; None on servers
        that handle concurrent writers themselves."""
        if bind not in self._writer_locks:
            single_writer = self.get_engine(bind).dialect.name == "sqlite"
            self._writer_locks[bind] = WriterLock() if single_writer else None
        return self._writer_locks[bind]

    async def dispose(self) -> None:
        lanes, self._lanes = list(self._lanes.values()), {}
        for lane in lanes:
            await lane.close()
        locks, self._writer_locks = list(self._writer_locks.values()), {}
        for lock in locks:
            if lock is not None:
                await lock.close()
        for engine in self._engines.values():
            await engine.dispose()
        self._engines.clear()
