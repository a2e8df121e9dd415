from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sample_doctypes import registry

from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from service_support import create_pg_database, drop_pg_database, pg_url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[DatabaseRuntime]:
    """The sample DocTypes mapped and synced into a fresh SQLite or PostgreSQL database."""
    runtime = DatabaseRuntime.build(Settings(database_url=database_url), registry())
    await runtime.sync_schema()
    try:
        yield runtime
    finally:
        await runtime.dispose()


@pytest.fixture
async def pg() -> AsyncIterator[str]:
    """The URL of a fresh, empty PostgreSQL database (for tests of PostgreSQL alone)."""
    name = await create_pg_database()
    try:
        yield pg_url(name)
    finally:
        await drop_pg_database(name)
