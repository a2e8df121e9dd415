"""UUID version 7 (RFC 9562): time-ordered ids that index well and sort by creation."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0
# Entropy from os.urandom, drawn 4 KiB at a time: one system call per ~400 ids, not per id
# (bulk saves make two ids per document). A forked child starts with its own.
_POOL_BYTES = 4000
_pool = b""
_offset = _POOL_BYTES
_UUID = uuid.UUID
_new = object.__new__
_set = object.__setattr__
_UNKNOWN = uuid.SafeUUID.unknown
_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)
_MS_MASK = (1 << 48) - 1
_RAND_B_MASK = (1 << 62) - 1


def _forget_pool() -> None:
    global _pool, _offset
    _pool, _offset = b"", _POOL_BYTES


os.register_at_fork(after_in_child=_forget_pool)


def uuid7() -> uuid.UUID:
    """A new UUID v7, monotonic within this process even inside one millisecond."""
    global _last_ms, _counter, _pool, _offset
    with _lock:
        if _offset >= _POOL_BYTES:
            _pool, _offset = os.urandom(_POOL_BYTES), 0
        # 62 bits for rand_b, 11 for a counter
        entropy = int.from_bytes(_pool[_offset : _offset + 10], "big")
        _offset += 10
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
    value = ((ms & _MS_MASK) << 80) | _VERSION_AND_VARIANT | (counter << 64)
    value |= entropy & _RAND_B_MASK
    # What UUID(int=value) builds, without re-checking a value made valid above.
    made: uuid.UUID = _new(_UUID)
    _set(made, "int", value)
    _set(made, "is_safe", _UNKNOWN)
    return made
