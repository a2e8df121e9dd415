"""Values no supported database can store, caught before they reach SQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_INT64 = (-(2**63), 2**63 - 1)


def unstorable(value: Any) -> str | None:
    """Why no supported database can store this value, or None when it can.

    PostgreSQL text and JSON cannot hold a NUL character, and integer columns are 64-bit on
    every engine: such input is refused as the client's mistake, never left to fail in SQL.
    """
    if isinstance(value, str):
        return "contains a NUL character" if "\x00" in value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return None if _INT64[0] <= value <= _INT64[1] else "is out of the 64-bit integer range"
    items: Any = ()
    if isinstance(value, Mapping):
        items = (part for pair in value.items() for part in pair)
    elif isinstance(value, list | tuple):
        items = value
    return next((reason for item in items if (reason := unstorable(item))), None)
