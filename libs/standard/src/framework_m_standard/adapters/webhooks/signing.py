"""HMAC-SHA256 signatures of webhook deliveries, and their verification by receivers.

The header is ``X-Framework-M-Signature: t=<unix seconds>,v1=<hex digest>`` where the digest
is ``HMAC-SHA256(secret, f"{t}.{body}")``. Signing the timestamp with the body lets a receiver
refuse replays: a captured delivery stops verifying once it is older than the tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Framework-M-Signature"
EVENT_HEADER = "X-Framework-M-Event"
DELIVERY_HEADER = "X-Framework-M-Delivery"
WEBHOOK_HEADER = "X-Framework-M-Webhook"
DEFAULT_TOLERANCE = 300.0
"""Seconds a signature stays valid (clock skew plus transit)."""


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else body


def signature(secret: str, timestamp: int, body: bytes | str) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` under ``secret``."""
    message = str(timestamp).encode() + b"." + _as_bytes(body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes | str, *, timestamp: int | None = None) -> str:
    """The value of the signature header for this body, signed now (or at ``timestamp``)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(secret, t, body)}"


def verify(
    secret: str,
    header: str | None,
    body: bytes | str,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> bool:
    """Whether ``header`` is a valid signature of ``body`` made within ``tolerance`` seconds.

    Any ``v1`` entry may match (several appear while a secret is being rotated); the
    comparison takes constant time. A malformed header is simply not valid.
    """
    if not header:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).encode()
    # Check every candidate so the time taken does not tell which one matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate.encode())
    return matched
