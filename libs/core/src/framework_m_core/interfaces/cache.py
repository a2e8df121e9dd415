"""Cache port: a key-value store with optional expiry, in process or in Redis.

Values must be JSON-serialisable so every adapter can store them. ``ttl`` is in seconds;
``None`` means no expiry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class CacheProtocol(Protocol):
    async def get(self, key: str) -> Any | None:
        """The cached value, or None when missing or expired."""
        ...

    async def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        """Store a value, expiring after ``ttl`` seconds when given."""
        ...

    async def delete(self, key: str) -> None:
        """Remove a key; a missing key is not an error."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether the key holds an unexpired value."""
        ...

    async def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """The values of the keys that are present (missing keys are left out)."""
        ...

    async def set_many(self, items: Mapping[str, Any], ttl: int | None = None) -> None:
        """Store several values with the same expiry."""
        ...

    async def delete_pattern(self, pattern: str) -> int:
        """Remove every key matching a glob pattern (``user:*``); how many were removed."""
        ...

    async def ttl(self, key: str) -> int | None:
        """Seconds until the key expires; None when it is missing or never expires."""
        ...
