"""PostgreSQL test databases and the CI rule for unreachable services (shared by conftests)."""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import uuid
from collections.abc import Callable

import asyncpg
import pytest

PG_HOST = os.environ.get("FRAMEWORK_M_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("FRAMEWORK_M_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("FRAMEWORK_M_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("FRAMEWORK_M_TEST_PG_DB", "test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def service_unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a missing service must never pass silently there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: services must be reachable)")
    pytest.skip(reason)


async def _admin_connection() -> asyncpg.Connection:
    return await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB, timeout=5
    )


async def _create(template: str | None = None) -> str:
    name = f"fm_test_{uuid.uuid4().hex[:12]}"
    like = f' TEMPLATE "{template}"' if template else ""
    conn = await _admin_connection()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"{like}')
    finally:
        await conn.close()
    return name


async def _drop(name: str) -> None:
    conn = await _admin_connection()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class _Behind:
    """A thread of this process that drops used databases and makes the next one ahead.

    DROP DATABASE forces a checkpoint on PostgreSQL 15 (a second or two on a busy machine) and
    hundreds of tests each use a database of their own: the test no longer waits for either.
    """

    def __init__(self) -> None:
        self.ready: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.errors: list[str] = []
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[], None]) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="pg-databases", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except Exception as exc:  # reported by finish()
                self.errors.append(repr(exc))

    def make_ahead(self) -> None:
        self.submit(lambda: self.ready.put(asyncio.run(_create())))

    def drop(self, name: str) -> None:
        self.submit(lambda: asyncio.run(_drop(name)))

    def finish(self) -> list[str]:
        """Drop what is left (databases made ahead too), wait, and return the errors."""
        if self._thread is None:
            return self.errors
        self._jobs.put(self._drop_ready)
        self._jobs.put(None)
        self._thread.join(timeout=600)
        self._thread = None
        return self.errors

    def _drop_ready(self) -> None:
        while True:
            try:
                name = self.ready.get_nowait()
            except queue.Empty:
                return
            asyncio.run(_drop(name))


_behind = _Behind()


async def create_pg_database() -> str:
    """A new, empty database (made from template1 as every database is: made ahead of time
    by a background thread when it can be)."""
    try:
        name = _behind.ready.get_nowait()
    except queue.Empty:
        try:
            name = await _create()
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            service_unavailable(f"PostgreSQL at {PG_HOST}:{PG_PORT} is unreachable: {exc}")
    _behind.make_ahead()
    return name


async def copy_pg_database(template: str) -> str:
    """A new database holding what ``template`` holds (nobody may be connected to it)."""
    return await _create(template)


async def drop_pg_database(name: str) -> None:
    """Drop the database (in the background: see ``finish_pg_databases``)."""
    _behind.drop(name)


def finish_pg_databases() -> list[str]:
    """Wait until every database of this process is dropped; the errors met on the way."""
    return _behind.finish()


def pg_url(name: str, driver: str = "asyncpg") -> str:
    return f"postgresql+{driver}://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
