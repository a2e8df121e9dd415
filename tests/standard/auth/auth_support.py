"""Helpers the auth tests share (a module of its own: ``conftest`` is not importable by name)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from framework_m_core.settings import AuthSettings, Settings
from framework_m_standard.adapters.auth.passwords import PasswordHasher
from service_support import service_unavailable

REDIS_URL = os.environ.get("FRAMEWORK_M_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "s" * 64

# Cheap argon2 costs: the tests check behaviour, not the hash's strength.
FAST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def fast_hasher() -> PasswordHasher:
    return PasswordHasher(**FAST)


def make_settings(tmp_path: Path, **auth: Any) -> Settings:
    return Settings(
        environment="test",
        project_root=str(tmp_path),
        auth=AuthSettings.model_validate({"secret_key": SECRET, **auth}),
    )


@asynccontextmanager
async def redis_keyspace() -> AsyncIterator[str]:
    """A key prefix of its own on the real Redis, emptied afterwards.

    An unreachable Redis skips the test locally and fails it with ``CI=true``.
    """
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        service_unavailable(f"Redis at {REDIS_URL} is unreachable: {exc}")
    prefix = f"fm_test:{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
