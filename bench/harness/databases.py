"""The databases a session runs on: a SQLite file in a temp dir, or a fresh PostgreSQL database.

PostgreSQL databases are made and dropped the way ``tests/service_support.py`` does it: connect
to an admin database, ``CREATE DATABASE fm_bench_<hex>``, ``DROP ... WITH (FORCE)`` at the end.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import URL, make_url

DEFAULT_PG_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class BenchDatabase:
    kind: str
    """``sqlite`` or ``postgresql``."""
    url: str
    """The SQLAlchemy URL the framework is given (``DATABASE_URL``)."""
    sqlite_path: Path | None = None
    pg_name: str | None = None

    @property
    def driver_dsn(self) -> str:
        """What the raw drivers take: a file path for sqlite3/aiosqlite, a DSN for asyncpg."""
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        return make_url(self.url).set(drivername="postgresql").render_as_string(False)


def sqlite_database(directory: Path) -> BenchDatabase:
    path = directory / "bench.db"
    return BenchDatabase(kind="sqlite", url=f"sqlite+aiosqlite:///{path}", sqlite_path=path)


def pg_server(url: str | None) -> URL:
    parsed = make_url(url or DEFAULT_PG_SERVER)
    return parsed.set(drivername="postgresql+asyncpg")


async def _admin(server: URL) -> asyncpg.Connection:
    dsn = server.set(drivername="postgresql").render_as_string(False)
    return await asyncpg.connect(dsn, timeout=5)


async def create_pg_database(server_url: str | None) -> BenchDatabase:
    """A fresh database on the server of ``server_url`` (the local test server by default)."""
    server = pg_server(server_url)
    name = f"fm_bench_{uuid.uuid4().hex[:12]}"
    conn = await _admin(server)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = server.set(database=name).render_as_string(False)
    return BenchDatabase(kind="postgresql", url=url, pg_name=name)


async def drop_pg_database(database: BenchDatabase, server_url: str | None) -> None:
    if database.pg_name is None:
        return
    conn = await _admin(pg_server(server_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database.pg_name}" WITH (FORCE)')
    finally:
        await conn.close()
