"""pool_pre_ping on PostgreSQL pings only connections that sat idle in the pool: one handed back
a moment ago goes out unchecked; one killed by the server while idle is replaced."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from framework_m_core.settings import DatabasePoolSettings
from framework_m_standard.adapters.db.connection import create_engine


class Pings:
    """Counts the dialect's pings of an engine."""

    def __init__(self, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = engine.dialect.do_ping

        def counting(dbapi_connection: Any) -> bool:
            self.count += 1
            return original(dbapi_connection)

        monkeypatch.setattr(engine.dialect, "do_ping", counting)


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(url: str, pid: int) -> None:
    killer = create_engine(url, pool=DatabasePoolSettings(pool_pre_ping=False))
    try:
        async with killer.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await killer.dispose()


async def test_busy_connections_are_not_pinged(pg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(pg, pool=DatabasePoolSettings(pool_size=1), ping_after_idle=60)
    pings = Pings(engine, monkeypatch)
    try:
        first = await _backend_pid(engine)
        for _ in range(5):
            assert await _backend_pid(engine) == first  # the same pooled connection
        assert pings.count == 0
    finally:
        await engine.dispose()


async def test_an_idle_connection_killed_by_the_server_is_replaced(
    pg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(pg, pool=DatabasePoolSettings(pool_size=1), ping_after_idle=0.05)
    pings = Pings(engine, monkeypatch)
    try:
        first = await _backend_pid(engine)
        await _terminate(pg, first)
        await asyncio.sleep(0.1)  # idle past the threshold: checked on the way out
        second = await _backend_pid(engine)
        assert second != first
        assert pings.count == 1
    finally:
        await engine.dispose()


async def test_without_pre_ping_nothing_is_pinged(pg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(
        pg, pool=DatabasePoolSettings(pool_size=1, pool_pre_ping=False), ping_after_idle=0
    )
    pings = Pings(engine, monkeypatch)
    try:
        await _backend_pid(engine)
        await asyncio.sleep(0.01)
        await _backend_pid(engine)
        assert pings.count == 0
    finally:
        await engine.dispose()
