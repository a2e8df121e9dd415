"""The machine a session ran on, for the report's header."""

from __future__ import annotations

import asyncio
import os
import platform
import sqlite3
import subprocess
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from .databases import pg_server


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


async def _pg_version(server_url: str | None) -> str:
    dsn = pg_server(server_url).set(drivername="postgresql").render_as_string(False)
    try:
        conn = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"unreachable ({exc})"
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def _wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright ...": the name and the version.
    words = (done.stdout or done.stderr).split()
    return " ".join(words[:2]) if words else "wrk ?"


def describe(pg_url: str | None, *, with_pg: bool) -> dict[str, str]:
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": asyncio.run(_pg_version(pg_url)) if with_pg else "not run",
        "os": platform.platform(),
        "wrk": _wrk_version(),
    }
