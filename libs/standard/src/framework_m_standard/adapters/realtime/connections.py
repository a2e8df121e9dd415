"""Open WebSocket connections of this process, indexed by user and by subscription.

A ``Connection`` is framework-agnostic: the web adapter gives it a bounded send queue and
drains that queue into the socket. Producers (document events, ``broadcast``,
``send_to_user``) only ever ``offer`` already-encoded text, so a slow client never blocks
them: when its queue is full it is dropped (closed with 1013) instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from framework_m_core.services.actor import Actor

K = TypeVar("K")
SubscriptionKey = tuple[str, ...]
"""``("doctype", name)``, ``("doc", name, id)`` or ``("topic", topic)``."""

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_IDLE = 4408
CLOSE_TOO_BIG = 1009
CLOSE_SLOW = 1013
CLOSE_SHUTDOWN = 1001


def doctype_key(doctype: str) -> SubscriptionKey:
    return ("doctype", doctype)


def document_key(doctype: str, id: str) -> SubscriptionKey:
    return ("doc", doctype, id)


def topic_key(topic: str) -> SubscriptionKey:
    return ("topic", topic)


@dataclass(eq=False)
class Connection:
    """One client socket: who it is, what it subscribed to, what waits to be sent."""

    actor: Actor
    queue_size: int
    id: int = field(default=0)
    subscriptions: set[SubscriptionKey] = field(default_factory=set)
    last_seen: float = field(default_factory=time.monotonic)
    close_code: int | None = None
    close_reason: str = ""
    queue: asyncio.Queue[str] = field(init=False)
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(maxsize=self.queue_size)

    @property
    def user_id(self) -> str:
        return self.actor.user.id

    @property
    def access_key(self) -> Hashable:
        """Connections with equal keys see exactly the same documents and fields."""
        user = self.actor.user
        tenant = self.actor.tenant.tenant_id if self.actor.tenant is not None else None
        return (user.id, tenant, self.actor.scopes, frozenset(user.roles), user.is_system_user)

    def offer(self, text: str) -> bool:
        """Queue a message; a full queue drops the connection (it is too slow to keep up)."""
        if self.close_code is not None:
            return False
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.drop(CLOSE_SLOW, "Too slow: the send queue is full")
            return False
        return True

    def drop(self, code: int, reason: str) -> None:
        """Ask the socket's handler to close with ``code`` (the first reason wins)."""
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self.closed.set()

    def touch(self) -> None:
        self.last_seen = time.monotonic()


class ConnectionManager:
    """The registry of this process's connections: by user and by subscription."""

    def __init__(self) -> None:
        self._next_id = 0
        self._connections: set[Connection] = set()
        self._by_user: dict[str, set[Connection]] = {}
        self._by_key: dict[SubscriptionKey, set[Connection]] = {}

    def __len__(self) -> int:
        return len(self._connections)

    def register(self, connection: Connection) -> None:
        self._next_id += 1
        connection.id = self._next_id
        self._connections.add(connection)
        self._by_user.setdefault(connection.user_id, set()).add(connection)

    def unregister(self, connection: Connection) -> None:
        self._connections.discard(connection)
        _discard(self._by_user, connection.user_id, connection)
        for key in connection.subscriptions:
            _discard(self._by_key, key, connection)
        connection.subscriptions.clear()

    def subscribe(self, connection: Connection, key: SubscriptionKey) -> None:
        connection.subscriptions.add(key)
        self._by_key.setdefault(key, set()).add(connection)

    def unsubscribe(self, connection: Connection, key: SubscriptionKey) -> bool:
        """Whether the connection held that subscription."""
        if key not in connection.subscriptions:
            return False
        connection.subscriptions.discard(key)
        _discard(self._by_key, key, connection)
        return True

    def subscribers(self, keys: Iterable[SubscriptionKey]) -> set[Connection]:
        """Connections holding any of ``keys``."""
        found: set[Connection] = set()
        for key in keys:
            found.update(self._by_key.get(key, ()))
        return found

    def of_user(self, user_id: str) -> set[Connection]:
        return set(self._by_user.get(user_id, ()))

    def all(self) -> set[Connection]:
        return set(self._connections)

    def deliver(self, connections: Iterable[Connection], text: str) -> int:
        """Offer ``text`` to each connection; how many accepted it."""
        return sum(1 for connection in connections if connection.offer(text))

    def close_all(self, code: int = CLOSE_SHUTDOWN, reason: str = "Server shutting down") -> None:
        for connection in list(self._connections):
            connection.drop(code, reason)


def _discard(index: dict[K, set[Connection]], key: K, connection: Connection) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(connection)
        if not members:
            del index[key]
