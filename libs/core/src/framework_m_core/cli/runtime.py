"""Helpers for CLI plugin authors."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run an async command body to completion from a synchronous CLI command."""
    return asyncio.run(coro)


__all__ = ["run_async"]
