"""Fixtures for the permission tests: the test DocTypes in a real SQLite or PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from perm_doctypes import perm_registry

from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime


@pytest.fixture
def registry() -> MetaRegistry:
    return perm_registry()


@pytest.fixture
async def perm_db(database_url: str, registry: MetaRegistry) -> AsyncIterator[DatabaseRuntime]:
    """CustomPermission, DocumentShare and the test DocTypes synced into a fresh database."""
    runtime = DatabaseRuntime.build(Settings(database_url=database_url), registry)
    await runtime.sync_schema()
    try:
        yield runtime
    finally:
        await runtime.dispose()
