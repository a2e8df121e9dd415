"""A start-up that fails for a reason the user can fix is reported on one line.

Litestar reports a failed lifespan to the server as a formatted traceback, which uvicorn
prints whole: some eighty lines for "the database refused the connection". This ASGI wrapper
rewrites that report to the ``BootstrapError``'s one-line message (it already names the step
and the cause); other failures, and any failure at ``--log-level debug``, keep the traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from typing import Any

from framework_m_core.exceptions import BootstrapError

ASGIApp = Any
"""An ASGI application (``(scope, receive, send) -> Awaitable[None]``)."""


def bootstrap_error(exc: BaseException | None) -> BootstrapError | None:
    """The ``BootstrapError`` behind ``exc``: itself, in an exception group, or a cause."""
    for candidate in _chain(exc, set()):
        if isinstance(candidate, BootstrapError):
            return candidate
    return None


def _chain(exc: BaseException | None, seen: set[int]) -> Iterator[BaseException]:
    if exc is None or id(exc) in seen:
        return
    seen.add(id(exc))
    yield exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _chain(inner, seen)
    yield from _chain(exc.__cause__, seen)
    yield from _chain(exc.__context__, seen)


class OneLineStartupErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        # ``m routes`` and tests reach the Litestar app's attributes through the wrapper.
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_short(message: Any) -> None:
            if message["type"] == "lifespan.startup.failed":
                # Litestar sends this from inside its ``except`` block: the error is at hand.
                error = bootstrap_error(sys.exception())
                if error is not None and not _debugging():
                    message = {**message, "message": f"Cannot start: {_one_line(error)}"}
            await send(message)

        await self.app(scope, receive, send_short)


def _debugging() -> bool:
    return logging.getLogger("uvicorn.error").isEnabledFor(logging.DEBUG)


def _one_line(error: BaseException) -> str:
    text = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return f"{text} (--log-level debug shows the traceback)"


__all__ = ["OneLineStartupErrors", "bootstrap_error"]
