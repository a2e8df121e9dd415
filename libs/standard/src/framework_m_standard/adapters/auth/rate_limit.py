"""Sliding-window rate limits: in-process by default, in Redis when ``redis_url`` is set.

A key may be hit ``limit`` times within ``window`` seconds; then ``check`` answers how many
seconds remain until the oldest hit inside the window drops out. Only the newest ``limit``
hits are kept per key, so memory stays bounded whatever a client sends.
"""

from __future__ import annotations

import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

from framework_m_core.settings import Settings

DEFAULT_REDIS_PREFIX = "fm:ratelimit:"
_SWEEP_EVERY = 1024


class RateLimiterProtocol(Protocol):
    limit: int
    """Hits allowed per key within ``window``."""
    window: int
    """Seconds a hit counts against its key."""

    async def check(self, key: str) -> int | None:
        """Seconds to wait when the key has used up its hits, else None."""
        ...

    async def hit(self, key: str) -> None:
        """Count one hit against the key."""
        ...

    async def reset(self, key: str) -> None:
        """Forget every hit of the key."""
        ...

    async def close(self) -> None:
        """Release connections (nothing to do in process)."""
        ...


def _retry_after(hits: list[float], limit: int, window: int, now: float) -> int | None:
    """Seconds until fewer than ``limit`` of the (ascending) hits are inside the window."""
    if len(hits) < limit:
        return None
    blocking = hits[len(hits) - limit]
    return max(1, math.ceil(blocking + window - now))


class InMemoryRateLimiter:
    """Per-process limits: right for one process; several processes need Redis."""

    def __init__(
        self, *, limit: int, window: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._since_sweep = 0

    async def check(self, key: str) -> int | None:
        """Seconds to wait when the key has used up its hits, else None."""
        now = self._clock()
        hits = self._live(key, now)
        return _retry_after(list(hits), self.limit, self.window, now) if hits else None

    async def hit(self, key: str) -> None:
        """Count one hit against the key."""
        now = self._clock()
        hits = self._live(key, now)
        if hits is None:
            hits = self._hits[key] = deque(maxlen=self.limit)
        hits.append(now)
        self._since_sweep += 1
        if self._since_sweep >= _SWEEP_EVERY:
            self._sweep(now)

    async def reset(self, key: str) -> None:
        """Forget every hit of the key."""
        self._hits.pop(key, None)

    async def close(self) -> None:
        """Nothing to release."""

    def _live(self, key: str, now: float) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return None
        return hits

    def _sweep(self, now: float) -> None:
        # Keys nobody asks about again would otherwise stay forever.
        self._since_sweep = 0
        stale = [key for key, hits in self._hits.items() if hits[-1] <= now - self.window]
        for key in stale:
            del self._hits[key]


class RedisRateLimiter:
    """Limits shared by every process: one sorted set of hit times per key."""

    def __init__(
        self, redis_url: str, *, limit: int, window: int, prefix: str = DEFAULT_REDIS_PREFIX
    ) -> None:
        self.limit = limit
        self.window = window
        self.prefix = prefix
        # Connects lazily, on the first command.
        self._redis: Redis = Redis.from_url(redis_url)

    async def check(self, key: str) -> int | None:
        """Seconds to wait when the key has used up its hits, else None."""
        name = self.prefix + key
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", now - self.window)
            pipe.zrange(name, 0, -1, withscores=True)
            _, entries = await pipe.execute()
        return _retry_after([score for _, score in entries], self.limit, self.window, now)

    async def hit(self, key: str) -> None:
        """Count one hit against the key."""
        name = self.prefix + key
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(name, {f"{now:.6f}:{secrets.token_hex(4)}": now})
            pipe.zremrangebyscore(name, "-inf", now - self.window)
            pipe.zremrangebyrank(name, 0, -(self.limit + 1))
            pipe.expire(name, self.window + 1)
            await pipe.execute()

    async def reset(self, key: str) -> None:
        """Forget every hit of the key."""
        await self._redis.delete(self.prefix + key)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()


def build_rate_limiter(
    settings: Settings, *, prefix: str = DEFAULT_REDIS_PREFIX, limit: int | None = None
) -> RateLimiterProtocol:
    """Redis when ``redis_url`` is set, else in process; login limits from ``[auth]``."""
    window = settings.auth.login_window
    limit = settings.auth.login_attempts if limit is None else limit
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, limit=limit, window=window, prefix=prefix)
    return InMemoryRateLimiter(limit=limit, window=window)
