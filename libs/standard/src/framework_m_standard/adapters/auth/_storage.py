"""What the session and API key stores share: the time, digests of secrets, bounded strings."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

TOUCH_INTERVAL_SECONDS = 60
"""``last_seen_at`` / ``last_used_at`` are written at most this often per session or key."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; naive values are taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def sha256_hex(secret: str) -> str:
    """What is stored instead of a secret: its SHA-256, hex-encoded."""
    return hashlib.sha256(secret.encode()).hexdigest()


def clip(value: str | None, limit: int) -> str | None:
    """A client-supplied string cut to what its column holds (never a reason to fail)."""
    return value[:limit] if value is not None else None
