"""``SocketProtocol`` adapters: reach connections in this process, or in every API process.

``LocalSocket`` hands messages straight to this process's ``ConnectionManager`` (one
process, no ``NATS_URL``). ``NatsSocket`` publishes on plain NATS core subjects
(``<prefix>.topic`` and ``<prefix>.user``); every API process subscribes to both (no queue
group: each receives every message) and forwards to its own connections. Realtime messages
are fire-and-forget like the sockets they go to, so core NATS is enough — no JetStream.
A process without connections (a worker) may use ``NatsSocket`` with ``manager=None`` to
publish only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import nats
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from framework_m_standard.adapters.realtime.connections import ConnectionManager, topic_key

logger = logging.getLogger(__name__)


def topic_frame(topic: str, message: Mapping[str, Any]) -> str:
    """What a client subscribed to ``topic`` receives for ``broadcast(topic, message)``."""
    return json.dumps({"type": "message", "topic": topic, "data": message}, default=str)


def user_frame(message: Mapping[str, Any]) -> str:
    """What every connection of a user receives for ``send_to_user``."""
    return json.dumps({"type": "message", "data": message}, default=str)


class LocalSocket:
    """``SocketProtocol`` within one process."""

    def __init__(self, manager: ConnectionManager) -> None:
        self.manager = manager

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def broadcast(self, topic: str, message: Mapping[str, Any]) -> None:
        """Send to every connection of this process subscribed to ``topic``."""
        deliver_topic(self.manager, topic, topic_frame(topic, message))

    async def send_to_user(self, user_id: str, message: Mapping[str, Any]) -> None:
        """Send to every connection of the user in this process."""
        self.manager.deliver(self.manager.of_user(user_id), user_frame(message))


class NatsSocket:
    """``SocketProtocol`` across processes through NATS core publish/subscribe."""

    def __init__(self, url: str, *, prefix: str, manager: ConnectionManager | None = None) -> None:
        self._url = url
        self._topic_subject = f"{prefix}.topic"
        self._user_subject = f"{prefix}.user"
        self.manager = manager
        self._client: NatsClient | None = None
        self._subscriptions: list[Subscription] = []

    async def start(self) -> None:
        """Connect, and subscribe when this process holds connections."""
        self._client = await nats.connect(
            self._url, name="framework_m.realtime", max_reconnect_attempts=-1
        )
        if self.manager is not None:
            self._subscriptions = [
                await self._client.subscribe(self._topic_subject, cb=self._on_topic),
                await self._client.subscribe(self._user_subject, cb=self._on_user),
            ]
            # The subscriptions are live on the server before start() returns.
            await self._client.flush()

    async def stop(self) -> None:
        client, self._client = self._client, None
        self._subscriptions = []
        if client is not None:
            await client.drain()

    async def broadcast(self, topic: str, message: Mapping[str, Any]) -> None:
        """Send to every connection subscribed to ``topic``, in every API process."""
        await self._publish(self._topic_subject, topic, topic_frame(topic, message))

    async def send_to_user(self, user_id: str, message: Mapping[str, Any]) -> None:
        """Send to every connection of the user, in every API process."""
        await self._publish(self._user_subject, user_id, user_frame(message))

    async def _publish(self, subject: str, to: str, frame: str) -> None:
        if self._client is None:
            raise RuntimeError("NatsSocket.start() has not been called")
        await self._client.publish(subject, json.dumps({"to": to, "frame": frame}).encode())

    async def _on_topic(self, msg: Msg) -> None:
        envelope = _envelope(msg)
        if envelope is not None and self.manager is not None:
            deliver_topic(self.manager, envelope[0], envelope[1])

    async def _on_user(self, msg: Msg) -> None:
        envelope = _envelope(msg)
        if envelope is not None and self.manager is not None:
            self.manager.deliver(self.manager.of_user(envelope[0]), envelope[1])


def deliver_topic(manager: ConnectionManager, topic: str, frame: str) -> int:
    return manager.deliver(manager.subscribers([topic_key(topic)]), frame)


def _envelope(msg: Msg) -> tuple[str, str] | None:
    try:
        body = json.loads(msg.data)
        to, frame = body["to"], body["frame"]
    except (ValueError, KeyError, TypeError):
        logger.warning("realtime: malformed backplane message on %s", msg.subject)
        return None
    if not isinstance(to, str) or not isinstance(frame, str):
        return None
    return to, frame
