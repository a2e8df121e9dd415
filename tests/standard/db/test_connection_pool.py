"""The ``[db_pool]`` settings reach PostgreSQL's connection pool and do what they say.

Not the pool's object fields: its behaviour, on a real server. A pool of one plus one overflow
hands out two connections and makes the third caller wait ``pool_timeout``, then fail; a
connection older than ``pool_recycle`` is replaced by a new server process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.settings import DatabasePoolSettings, load_settings
from framework_m_standard.adapters.db.connection import ConnectionFactory


def test_defaults_are_the_documented_production_pool() -> None:
    pool = DatabasePoolSettings()
    assert (pool.pool_size, pool.max_overflow, pool.pool_timeout, pool.pool_recycle) == (
        20,
        10,
        30.0,
        3600,
    )


def test_nonsense_pool_settings_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="pool_size"):
        load_settings(env={"FRAMEWORK_M_DB_POOL__POOL_SIZE": "0"}, config_file=None)
    with pytest.raises(ConfigurationError, match="pool_timeout"):
        load_settings(env={"FRAMEWORK_M_DB_POOL__POOL_TIMEOUT": "-1"}, config_file=None)


async def _pid(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@asynccontextmanager
async def _engine(url: str, **pool: str) -> AsyncIterator[AsyncEngine]:
    """The engine the application makes from these ``FRAMEWORK_M_DB_POOL__*`` settings."""
    env = {"FRAMEWORK_M_DATABASE_URL": url}
    env.update({f"FRAMEWORK_M_DB_POOL__{key.upper()}": value for key, value in pool.items()})
    engine = ConnectionFactory.from_settings(load_settings(env=env, config_file=None)).get_engine()
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_size_overflow_and_timeout_come_from_the_settings(pg: str) -> None:
    async with _engine(pg, pool_size="1", max_overflow="1", pool_timeout="0.5") as engine:
        async with engine.connect() as first, engine.connect() as second:
            # One pooled connection and one overflow: two server processes.
            assert await _pid(first) != await _pid(second)
            started = time.monotonic()
            with pytest.raises(sa_exc.TimeoutError):
                async with engine.connect():
                    pass
            waited = time.monotonic() - started
            assert waited >= 0.45, f"the third caller gave up after {waited:.2f}s, not 0.5s"
        # Handed back: the next caller gets one at once.
        async with engine.connect() as again:
            assert await _pid(again) > 0


async def test_a_connection_older_than_pool_recycle_is_replaced(pg: str) -> None:
    async with _engine(pg, pool_size="1", max_overflow="0", pool_recycle="1") as engine:
        async with engine.connect() as conn:
            first = await _pid(conn)
        async with engine.connect() as conn:
            assert await _pid(conn) == first  # young: reused
        await asyncio.sleep(1.2)
        async with engine.connect() as conn:
            assert await _pid(conn) != first  # older than a second: a new connection
