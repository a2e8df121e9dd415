"""In-process event bus: the default ``EventBusProtocol`` adapter when no ``NATS_URL`` is set.

Topics and patterns follow NATS subject rules so code moves to NATS unchanged: a topic is
``.``-separated non-empty tokens; in a pattern ``*`` matches exactly one token and ``>``,
allowed only as the last token, matches one or more remaining tokens. So ``doc.*`` matches
``doc.created`` but not ``doc.created.Invoice``; ``doc.>`` matches both; neither matches
``doc``. (fnmatch-style ``*`` spanning dots is deliberately not supported.)

``publish`` awaits the matching handlers one after another, in the order they subscribed;
a handler that raises is logged and the rest still run. ``disconnect`` drops every
subscription, as closing a NATS connection does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from framework_m_core.domain.ids import uuid7
from framework_m_core.interfaces.event_bus import Event, EventBusNotConnectedError, EventHandler

logger = logging.getLogger(__name__)

_ONE_TOKEN = "*"
_REST = ">"


@dataclass(frozen=True, slots=True)
class _Subscription:
    id: str
    tokens: tuple[str, ...]
    is_pattern: bool
    handler: EventHandler

    def matches(self, topic: tuple[str, ...]) -> bool:
        if not self.is_pattern:
            return self.tokens == topic
        for index, token in enumerate(self.tokens):
            if token == _REST:
                return len(topic) > index
            if index >= len(topic) or (token != _ONE_TOKEN and token != topic[index]):
                return False
        return len(self.tokens) == len(topic)


def _split(subject: str, *, wildcards: bool) -> tuple[str, ...]:
    tokens = tuple(subject.split("."))
    if not subject or any(not token for token in tokens):
        raise ValueError(f"{subject!r} is not a topic: use non-empty tokens separated by '.'")
    for index, token in enumerate(tokens):
        if token in (_ONE_TOKEN, _REST):
            if not wildcards:
                raise ValueError(f"{subject!r}: wildcards are only allowed in subscribe_pattern")
            if token == _REST and index != len(tokens) - 1:
                raise ValueError(f"{subject!r}: '>' may only be the last token")
        elif _ONE_TOKEN in token or _REST in token:
            raise ValueError(f"{subject!r}: '*' and '>' must be whole tokens")
    return tokens


class InMemoryEventBus:
    """``EventBusProtocol`` within one process; nothing crosses to other processes."""

    def __init__(self) -> None:
        self._connected = False
        # Insertion order is delivery order.
        self._subscriptions: dict[str, _Subscription] = {}

    async def connect(self) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self._connected = False
        self._subscriptions.clear()

    def is_connected(self) -> bool:
        return self._connected

    async def publish(self, topic: str, event: Event) -> None:
        self._require_connection("publish", topic)
        tokens = _split(topic, wildcards=False)
        # A snapshot, so handlers may subscribe or unsubscribe while we deliver.
        for subscription in [s for s in self._subscriptions.values() if s.matches(tokens)]:
            try:
                await subscription.handler(event)
            except Exception:
                # One broken handler must not starve the others; the log keeps the traceback.
                logger.exception(
                    "event handler %r failed on topic %r (event %s, subscription %s)",
                    subscription.handler,
                    topic,
                    event.id,
                    subscription.id,
                )

    async def subscribe(self, topic: str, handler: EventHandler) -> str:
        return self._add(topic, handler, is_pattern=False)

    async def subscribe_pattern(self, pattern: str, handler: EventHandler) -> str:
        return self._add(pattern, handler, is_pattern=True)

    async def unsubscribe(self, subscription_id: str) -> None:
        self._subscriptions.pop(subscription_id, None)

    def _add(self, subject: str, handler: EventHandler, *, is_pattern: bool) -> str:
        self._require_connection("subscribe", subject)
        tokens = _split(subject, wildcards=is_pattern)
        subscription = _Subscription(str(uuid7()), tokens, is_pattern, handler)
        self._subscriptions[subscription.id] = subscription
        return subscription.id

    def _require_connection(self, operation: str, topic: str) -> None:
        if not self._connected:
            raise EventBusNotConnectedError(
                f"cannot {operation} on {topic!r}: the event bus is not connected; "
                "await connect() first",
                topic=topic,
            )
