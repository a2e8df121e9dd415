"""Fixtures for the auth adapters: the built-in DocTypes in a fresh database, and Redis.

Redis runs at 127.0.0.1:6379 (``FRAMEWORK_M_TEST_REDIS_URL``). Each test gets its own key
prefix and its keys are removed afterwards. An unreachable Redis skips locally and fails
with ``CI=true``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from auth_support import fast_hasher, make_settings, redis_keyspace

from framework_m_core.doctypes import BUILTIN_DOCTYPES
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings
from framework_m_standard.adapters.auth.service import AuthComponents, build_auth
from framework_m_standard.adapters.db.runtime import DatabaseRuntime


@pytest.fixture
async def auth_db(database_url: str) -> AsyncIterator[DatabaseRuntime]:
    """The built-in DocTypes synced into a fresh SQLite or PostgreSQL database."""
    registry = MetaRegistry()
    for doctype in BUILTIN_DOCTYPES:
        registry.register_doctype(doctype)
    runtime = DatabaseRuntime.build(Settings(database_url=database_url), registry)
    await runtime.sync_schema()
    try:
        yield runtime
    finally:
        await runtime.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def auth(auth_db: DatabaseRuntime, settings: Settings) -> AsyncIterator[AuthComponents]:
    """Every auth component on the test database, with in-process rate limits."""
    components = build_auth(
        settings,
        repositories=auth_db.repositories,
        unit_of_work=auth_db.unit_of_work,
        password_hasher=fast_hasher(),
    )
    try:
        yield components
    finally:
        await components.close()


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own on the real Redis; its keys are deleted afterwards."""
    async with redis_keyspace() as prefix:
        yield prefix
