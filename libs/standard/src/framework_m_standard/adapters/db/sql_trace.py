"""Listeners of the SQL that goes past SQLAlchemy's engine, and the slow-query log.

Read lanes and driver-level writes do not fire SQLAlchemy's ``before_cursor_execute`` event;
whoever wants to see every statement (``db_echo`` logging, tests counting queries, tracing)
listens here as well.

A statement that takes ``db_slow_query_ms`` or longer is logged as a warning on
``framework_m.sql.slow``, on every path: SQLAlchemy's engine (``watch_engine``), the read lanes
and the driver-level writes (``took``). Only the SQL and the number of values are logged: the
values may be personal data or secrets.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence, Sized
from time import perf_counter
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

Listener = Callable[[str, Sequence[Any]], None]

_log = logging.getLogger("framework_m.sql")
_slow = logging.getLogger("framework_m.sql.slow")


class SqlTrace:
    __slots__ = ("listeners", "slow_after")

    def __init__(self, *, echo: bool = False, slow_ms: float = 0) -> None:
        self.listeners: list[Listener] = [_echo] if echo else []
        self.slow_after = slow_ms / 1000 if slow_ms > 0 else math.inf
        """Seconds from which a statement is logged as slow (infinity: never)."""

    def emit(self, sql: str, params: Sequence[Any]) -> None:
        for listener in self.listeners:
            listener(sql, params)

    def took(self, sql: str, params: Sized, started: float) -> None:
        """After a statement begun at ``started`` (``perf_counter``): logged if it was slow."""
        elapsed = perf_counter() - started
        if elapsed >= self.slow_after:
            _slow.warning(
                "Slow query (%.1f ms, %d values): %s",
                elapsed * 1000,
                len(params),
                sql,
                extra={"duration_ms": round(elapsed * 1000, 3), "sql": sql},
            )

    def watch_engine(self, engine: AsyncEngine) -> None:
        """Time the statements SQLAlchemy runs on ``engine`` too (when a threshold is set)."""
        if math.isinf(self.slow_after):
            return
        sync_engine = engine.sync_engine

        def before(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
            if context is not None:
                context._fm_started = perf_counter()

        def after(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
            started = getattr(context, "_fm_started", None)
            if started is not None:
                self.took(sql, params if isinstance(params, (list, tuple, dict)) else (), started)

        event.listen(sync_engine, "before_cursor_execute", before)
        event.listen(sync_engine, "after_cursor_execute", after)


def _echo(sql: str, params: Sequence[Any]) -> None:
    _log.info("%s %r", sql, tuple(params))
