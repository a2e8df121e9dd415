"""``WS /api/v1/stream``: realtime document events and messages over a WebSocket.

Authentication is the API's own chain (``auth.chain``): a session cookie, or a token in the
``Authorization`` header, or — for browsers, which cannot set headers on a WebSocket — in
the ``token`` query parameter. A cookie session must come from the site's own origin or one
of ``http.cors_origins`` (no cross-site WebSocket hijacking). Failures are told after the
handshake, as close codes a browser can read: 4401 not authenticated, 4403 forbidden.

Each connection has three tasks: the reader (client messages, ``StreamSession``), the
writer (drains the bounded send queue into the socket) and the heartbeat (server pings,
closes idle peers). Whichever ends first ends the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from litestar import WebSocket, websocket
from litestar.datastructures import State
from litestar.exceptions import WebSocketDisconnect
from litestar.types import WebSocketSendEvent

from framework_m_core.exceptions import (
    AuthenticationError,
    FrameworkError,
    RateLimitedError,
)
from framework_m_core.interfaces.authentication import AuthRequest
from framework_m_core.services.actor import Actor
from framework_m_standard.adapters.permissions.tenancy import resolve_tenant
from framework_m_standard.adapters.realtime.connections import (
    CLOSE_FORBIDDEN,
    CLOSE_IDLE,
    CLOSE_TOO_BIG,
    CLOSE_UNAUTHENTICATED,
    Connection,
)
from framework_m_standard.adapters.realtime.protocol import StreamSession, frame
from framework_m_standard.adapters.realtime.service import Realtime
from framework_m_standard.adapters.web.runtime import STATE_KEY, WebRuntime

logger = logging.getLogger(__name__)

REALTIME_KEY = "framework_m_realtime"
STREAM_PATH = "/api/v1/stream"
_CLOSE_TIMEOUT = 2.0
_MAX_REASON = 120


class _Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def get_realtime(state: State) -> Realtime | None:
    realtime = state.get(REALTIME_KEY)
    return realtime if isinstance(realtime, Realtime) else None


async def _authenticate(socket: WebSocket[Any, Any, Any], runtime: WebRuntime) -> Actor:
    headers = {k.lower(): v for k, v in socket.headers.items()}
    token = socket.query_params.get("token")
    if token and "authorization" not in headers:
        headers["authorization"] = f"Bearer {token}"
    client = socket.client
    credentials = AuthRequest(
        method="GET",
        path=socket.url.path,
        headers=headers,
        cookies=dict(socket.cookies),
        client_ip=client.host if client is not None else None,
    )
    try:
        authenticated = await runtime.auth.chain.authenticate(credentials)
    except (AuthenticationError, RateLimitedError) as exc:
        raise _Refused(CLOSE_UNAUTHENTICATED, str(exc)) from None
    if authenticated is None:
        raise _Refused(CLOSE_UNAUTHENTICATED, "Authentication required")
    settings = runtime.settings
    if authenticated.method == "session" and not _same_origin(headers, settings.http.cors_origins):
        raise _Refused(CLOSE_FORBIDDEN, "Cross-origin WebSocket with a session cookie")
    try:
        tenant = resolve_tenant(settings, headers, authenticated.user)
    except FrameworkError as exc:
        raise _Refused(CLOSE_FORBIDDEN, str(exc)) from None
    multi = settings.tenancy.mode == "multi"
    return Actor(
        user=authenticated.user, tenant=tenant if multi else None, scopes=authenticated.scopes
    )


def _same_origin(headers: dict[str, str], allowed: list[str]) -> bool:
    origin = headers.get("origin")
    if not origin:
        return True  # not a browser: it could not have been lured into sending the cookie
    if origin in allowed:
        return True
    return urlsplit(origin).netloc == headers.get("host", "")


@websocket(STREAM_PATH, opt={"auth": "none"}, name="realtime_stream")
async def stream(socket: WebSocket[Any, Any, Any]) -> None:
    """Realtime events for documents the user may read (see docs/realtime.md)."""
    runtime = socket.app.state.get(STATE_KEY)
    realtime = get_realtime(socket.app.state)
    await socket.accept()
    if not isinstance(runtime, WebRuntime) or realtime is None:
        await _close(socket, 1013, "The server is starting")
        return
    try:
        actor = await _authenticate(socket, runtime)
    except _Refused as refused:
        await _close(socket, refused.code, refused.reason)
        return
    settings = realtime.settings
    connection = Connection(actor=actor, queue_size=settings.send_queue_size)
    realtime.manager.register(connection)
    session = StreamSession(
        connection, manager=realtime.manager, documents=realtime.documents, settings=settings
    )
    connection.offer(
        frame(
            "ready",
            user=actor.user.id,
            ping_interval=settings.ping_interval,
            idle_timeout=settings.idle_timeout,
            max_message_size=settings.max_message_size,
            max_subscriptions=settings.max_subscriptions,
        )
    )
    gone = asyncio.Event()
    tasks = [
        asyncio.create_task(_read(socket, connection, session, settings.max_message_size, gone)),
        asyncio.create_task(_write(socket, connection)),
        asyncio.create_task(_heartbeat(connection, settings.ping_interval, settings.idle_timeout)),
        asyncio.create_task(connection.closed.wait()),
    ]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await task
        realtime.manager.unregister(connection)
    if not gone.is_set():
        code = connection.close_code or 1000
        await _close(socket, code, connection.close_reason)


async def _read(
    socket: WebSocket[Any, Any, Any],
    connection: Connection,
    session: StreamSession,
    limit: int,
    gone: asyncio.Event,
) -> None:
    while True:
        try:
            message = await socket.receive()
        except WebSocketDisconnect:
            gone.set()
            return
        if message["type"] != "websocket.receive":
            gone.set()
            return
        text = message.get("text")
        data = message.get("bytes")
        raw = text.encode() if text is not None else (data or b"")
        if len(raw) > limit:
            connection.drop(CLOSE_TOO_BIG, f"Messages are limited to {limit} bytes")
            return
        try:
            await session.handle(text if text is not None else raw.decode("utf-8", "replace"))
        except Exception:
            logger.exception("realtime: message of user %s failed", connection.user_id)
            connection.drop(1011, "Internal error")
            return


async def _write(socket: WebSocket[Any, Any, Any], connection: Connection) -> None:
    queue, send = connection.queue, socket.send
    while True:
        # The ASGI message directly: this runs once per event per client.
        message: WebSocketSendEvent = {
            "type": "websocket.send",
            "text": await queue.get(),
            "bytes": None,
        }
        await send(message)


async def _heartbeat(connection: Connection, ping_interval: float, idle_timeout: float) -> None:
    tick = min(ping_interval, idle_timeout / 2)
    last_ping = time.monotonic()
    while True:
        await asyncio.sleep(tick)
        now = time.monotonic()
        if now - connection.last_seen > idle_timeout:
            connection.drop(CLOSE_IDLE, "Idle timeout: no message (or pong) from the client")
            return
        if now - last_ping >= ping_interval:
            last_ping = now
            connection.offer(frame("ping"))


async def _close(socket: WebSocket[Any, Any, Any], code: int, reason: str) -> None:
    # A client too slow to read may never let the close frame out: do not wait for it forever.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(socket.close(code=code, reason=reason[:_MAX_REASON]), _CLOSE_TIMEOUT)


STREAM_HANDLERS = [stream]
