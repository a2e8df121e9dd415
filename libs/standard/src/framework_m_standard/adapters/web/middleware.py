"""ASGI middleware: the request id, and the ordered registry apps add their middleware to.

Apps (and APM/tracing integrations such as OpenTelemetry, Sentry or DataDog, which ship
standard ASGI middleware) register a factory ``app -> app`` with a priority; lower runs
outside higher. Settings can add more by dotted path (``[http] middleware``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from framework_m_core.container import load_object
from framework_m_core.domain.ids import uuid7
from framework_m_core.exceptions import ConfigurationError

ASGIApp = Callable[..., Any]
MiddlewareFactory = Callable[[ASGIApp], ASGIApp]
MIDDLEWARE_GROUP = "framework_m.middleware"

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _new_request_id() -> str:
    """32 hex digits, time-ordered: a UUID v7 from the buffered entropy pool (a system call
    per request for ``secrets.token_hex`` cost ~6% of a list request's CPU)."""
    return uuid7().hex


def ensure_request_id(scope: dict[str, Any], header_key: bytes = b"x-request-id") -> str:
    """The request's id: already assigned, else the client's if well-formed, else a new one."""
    state = scope.setdefault("state", {})
    existing = state.get("request_id")
    if isinstance(existing, str):
        return existing
    given = next((v for k, v in scope.get("headers", []) if k == header_key), b"").decode("latin-1")
    request_id = given if _SAFE_REQUEST_ID.match(given) else _new_request_id()
    state["request_id"] = request_id
    return request_id


def request_id_middleware(header: str = "X-Request-ID") -> MiddlewareFactory:
    """Take a well-formed request id from the client or make one; echo it on the response."""
    header_key = header.lower().encode("latin-1")

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            request_id = ensure_request_id(scope, header_key)

            async def send_with_id(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    headers = [h for h in message.get("headers", []) if h[0] != header_key]
                    headers.append((header_key, request_id.encode("latin-1")))
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, send_with_id)

        return middleware

    return factory


@dataclass(order=True)
class _Entry:
    priority: int
    name: str
    factory: MiddlewareFactory = field(compare=False)


class MiddlewareRegistry:
    """Middleware by name with a priority; ``ordered()`` lists them outermost first."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def add(self, name: str, factory: MiddlewareFactory, *, priority: int = 100) -> None:
        """Register (or replace, by name) a middleware factory."""
        self._entries[name] = _Entry(priority, name, factory)

    def remove(self, name: str) -> None:
        self._entries.pop(name, None)

    def names(self) -> list[str]:
        return [entry.name for entry in sorted(self._entries.values())]

    def ordered(self) -> list[MiddlewareFactory]:
        return [entry.factory for entry in sorted(self._entries.values())]

    def load_entry_points(self) -> None:
        """Middleware other packages advertise in the ``framework_m.middleware`` group.

        An entry point names a factory; it may carry ``priority`` as an attribute.
        """
        for ep in entry_points(group=MIDDLEWARE_GROUP):
            factory = ep.load()
            self.add(ep.name, factory, priority=int(getattr(factory, "priority", 100)))

    def load_paths(self, paths: Iterable[str], *, start: int = 500) -> None:
        """Middleware named in settings (``module:attr``), in the given order."""
        for offset, path in enumerate(paths):
            try:
                factory = load_object(path)
            except Exception as exc:
                raise ConfigurationError(f"Cannot load middleware {path!r}: {exc}") from exc
            if not callable(factory):
                raise ConfigurationError(f"Middleware {path!r} is not callable")
            self.add(path, factory, priority=start + offset)
