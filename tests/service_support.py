"""PostgreSQL test databases and the CI rule for unreachable services (shared by conftests)."""

from __future__ import annotations

import os
import uuid

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


async def create_pg_database() -> str:
    name = f"fm_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = await _admin_connection()
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        service_unavailable(f"PostgreSQL at {PG_HOST}:{PG_PORT} is unreachable: {exc}")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_pg_database(name: str) -> None:
    conn = await _admin_connection()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def pg_url(name: str, driver: str = "asyncpg") -> str:
    return f"postgresql+{driver}://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
