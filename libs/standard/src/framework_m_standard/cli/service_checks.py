"""Is a configured service reachable? One short, real round trip per service.

The database answers ``SELECT 1``, Redis ``PING``, a NATS server its ``INFO`` greeting.
``probe`` runs one check under a time limit and reports what went wrong in one line. No
check creates anything: a SQLite file that does not exist yet is reported as missing
(``missing_sqlite_file``) rather than created.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from framework_m_standard.cli.user_errors import one_line

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class Reachability:
    ok: bool
    detail: str
    """``12 ms`` when reachable, else why not."""


async def probe(check: Awaitable[None], *, seconds: float) -> Reachability:
    """Run ``check``; reachable if it finishes within ``seconds`` without an error."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(seconds):
            await check
    except TimeoutError:
        return Reachability(False, f"no answer in {seconds:g} s")
    except Exception as exc:
        # Any failure is the answer here: every driver raises its own error types.
        return Reachability(False, one_line(exc))
    return Reachability(True, f"{(time.perf_counter() - started) * 1000:.0f} ms")


def missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite database file that does not exist yet, if ``url`` names one."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if Path(database).exists() else database


def check_database(url: str) -> Awaitable[None]:
    """``SELECT 1`` on ``url`` (the driver loads now, so that loading is not timed)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    return _select_one(create_async_engine(url))


async def _select_one(engine: AsyncEngine) -> None:
    from sqlalchemy import text

    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def check_redis(url: str) -> Awaitable[None]:
    """``PING`` on ``url``."""
    from redis.asyncio import from_url

    return _ping(from_url(url))


async def _ping(client: Redis) -> None:
    try:
        await client.ping()
    finally:
        await client.aclose()


async def check_nats(url: str) -> None:
    """A NATS server greets every new connection with ``INFO {...}``."""
    first = url.split(",")[0].strip()
    parts = urlsplit(first if "://" in first else f"nats://{first}")
    host, port = parts.hostname or "127.0.0.1", parts.port or 4222
    reader, writer = await asyncio.open_connection(host, port)
    try:
        line = await reader.readline()
        if not line.startswith(b"INFO "):
            raise ConnectionError(f"{host}:{port} answered, but not as a NATS server")
    finally:
        writer.close()
        await writer.wait_closed()


__all__ = [
    "Reachability",
    "check_database",
    "check_nats",
    "check_redis",
    "missing_sqlite_file",
    "probe",
]
