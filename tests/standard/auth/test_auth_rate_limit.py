"""Rate limiters, in process and on the real Redis: the 11th hit in the window is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from auth_support import REDIS_URL, redis_keyspace
from redis.asyncio import Redis

from framework_m_core.settings import Settings
from framework_m_standard.adapters.auth.rate_limit import (
    InMemoryRateLimiter,
    RateLimiterProtocol,
    RedisRateLimiter,
    build_rate_limiter,
)

LIMIT, WINDOW = 10, 60


class Clock:
    """Time that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiterProtocol]:
    if request.param == "memory":
        yield InMemoryRateLimiter(limit=LIMIT, window=WINDOW)
        return
    async with redis_keyspace() as prefix:
        redis_limiter = RedisRateLimiter(REDIS_URL, limit=LIMIT, window=WINDOW, prefix=prefix)
        try:
            yield redis_limiter
        finally:
            await redis_limiter.close()


async def test_ten_hits_then_the_eleventh_is_limited(limiter: RateLimiterProtocol) -> None:
    for _ in range(LIMIT - 1):
        await limiter.hit("login:user:ann")
    assert await limiter.check("login:user:ann") is None
    await limiter.hit("login:user:ann")
    retry_after = await limiter.check("login:user:ann")
    assert retry_after is not None
    assert 1 <= retry_after <= WINDOW
    assert await limiter.check("login:user:bob") is None  # keys are independent


async def test_reset_clears_the_key(limiter: RateLimiterProtocol) -> None:
    for _ in range(LIMIT):
        await limiter.hit("k")
        await limiter.hit("other")
    assert await limiter.check("k") is not None
    await limiter.reset("k")
    assert await limiter.check("k") is None
    assert await limiter.check("other") is not None
    await limiter.reset("never-hit")


async def test_hits_past_the_limit_keep_it_limited(limiter: RateLimiterProtocol) -> None:
    for _ in range(LIMIT * 3):
        await limiter.hit("k")
    assert await limiter.check("k") is not None


async def test_memory_window_slides() -> None:
    clock = Clock()
    limiter = InMemoryRateLimiter(limit=3, window=60, clock=clock)
    for step in (0, 10, 20):
        clock.now = 1000.0 + step
        await limiter.hit("k")
    assert await limiter.check("k") == 40  # the first hit leaves the window at t=1060
    clock.now = 1059.5
    assert await limiter.check("k") == 1
    clock.now = 1060.0
    assert await limiter.check("k") is None
    await limiter.hit("k")
    assert await limiter.check("k") == 10  # now the hit at t=1010 is the one to wait for
    clock.now = 2000.0
    assert await limiter.check("k") is None


async def test_memory_forgets_idle_keys() -> None:
    clock = Clock()
    limiter = InMemoryRateLimiter(limit=2, window=10, clock=clock)
    for n in range(2000):
        await limiter.hit(f"ip:{n}")
    clock.now += 11
    for _ in range(1024):
        await limiter.hit("busy")
    assert set(limiter._hits) == {"busy"}
    assert len(limiter._hits["busy"]) == 2


async def test_redis_window_expires(redis_prefix: str) -> None:
    limiter = RedisRateLimiter(REDIS_URL, limit=2, window=1, prefix=redis_prefix)
    try:
        await limiter.hit("k")
        await limiter.hit("k")
        assert await limiter.check("k") == 1
        await asyncio.sleep(1.1)
        assert await limiter.check("k") is None
    finally:
        await limiter.close()


async def test_redis_keeps_only_the_newest_hits_with_an_expiry(redis_prefix: str) -> None:
    limiter = RedisRateLimiter(REDIS_URL, limit=3, window=WINDOW, prefix=redis_prefix)
    client = Redis.from_url(REDIS_URL)
    try:
        for _ in range(10):
            await limiter.hit("k")
        name = f"{redis_prefix}k"
        assert await client.zcard(name) == 3
        assert 0 < await client.ttl(name) <= WINDOW + 1
        # Two limiters on one Redis share the count, as two processes would.
        twin = RedisRateLimiter(REDIS_URL, limit=3, window=WINDOW, prefix=redis_prefix)
        assert await twin.check("k") is not None
        await twin.close()
    finally:
        await client.aclose()
        await limiter.close()


async def test_build_rate_limiter_chooses_by_redis_url(tmp_path: Path) -> None:
    memory = build_rate_limiter(Settings(project_root=str(tmp_path)))
    assert isinstance(memory, InMemoryRateLimiter)
    assert (memory.limit, memory.window) == (10, 60)
    settings = Settings.model_validate(
        {"redis_url": REDIS_URL, "auth": {"login_attempts": 5, "login_window": 30}}
    )
    redis_limiter = build_rate_limiter(settings, prefix="fm_test:unused:")
    try:
        assert isinstance(redis_limiter, RedisRateLimiter)
        assert (redis_limiter.limit, redis_limiter.window) == (5, 30)
        assert redis_limiter.prefix == "fm_test:unused:"
    finally:
        await redis_limiter.close()
