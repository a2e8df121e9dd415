"""Listeners of the SQL that goes past SQLAlchemy's engine.

Read lanes and driver-level writes do not fire SQLAlchemy's ``before_cursor_execute`` event;
whoever wants to see every statement (``db_echo`` logging, tests counting queries, tracing)
listens here as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

Listener = Callable[[str, Sequence[Any]], None]

_log = logging.getLogger("framework_m.sql")


class SqlTrace:
    __slots__ = ("listeners",)

    def __init__(self, *, echo: bool = False) -> None:
        self.listeners: list[Listener] = [_echo] if echo else []

    def emit(self, sql: str, params: Sequence[Any]) -> None:
        for listener in self.listeners:
            listener(sql, params)


def _echo(sql: str, params: Sequence[Any]) -> None:
    _log.info("%s %r", sql, tuple(params))
