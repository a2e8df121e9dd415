"""UUID version 7 (RFC 9562): time-ordered ids that index well and sort by creation."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """A new UUID v7, monotonic within this process even inside one millisecond."""
    global _last_ms, _counter
    entropy = int.from_bytes(os.urandom(10), "big")  # 62 bits for rand_b, 11 for a counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            # Same (or a backwards) millisecond: bump the 12-bit counter; borrow the next ms on overflow.
            ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:
                ms += 1
                _counter = 0
        else:
            _counter = (entropy >> 62) & 0x7FF
        _last_ms = ms
        counter = _counter
    rand_b = entropy & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)
