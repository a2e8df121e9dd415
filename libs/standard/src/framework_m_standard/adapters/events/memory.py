"""In-process event bus: the default ``EventBusProtocol`` adapter when no ``NATS_URL`` is set.

Topics and patterns follow NATS subject rules so code moves to NATS unchanged (see
``topics.py``): ``doc.*`` matches ``doc.created`` but not ``doc.created.Invoice``; ``doc.>``
matches both; neither matches ``doc``. (fnmatch-style ``*`` spanning dots is not supported.)

``publish`` awaits the matching handlers one after another: the fan-out subscriptions in the
order they subscribed, then one member of each matching durable group. A fan-out handler that
raises is logged and the rest still run. Durable groups (``durable="name"``) behave like a NATS
work queue: the members sharing a name and subject take turns (round-robin); a member that
raises gets the event again, rotating through the members, up to ``max_redeliveries`` times,
then it is logged and dropped; events published while a group has no member wait (up to
``max_waiting``) for the next one. ``disconnect`` drops every subscription and group.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field

from framework_m_core.domain.ids import uuid7
from framework_m_core.interfaces.event_bus import Event, EventBusNotConnectedError, EventHandler
from framework_m_standard.adapters.events.topics import matches, split_topic

logger = logging.getLogger(__name__)

_GroupKey = tuple[str, tuple[str, ...], bool]


@dataclass(frozen=True, slots=True)
class _Subscription:
    id: str
    tokens: tuple[str, ...]
    is_pattern: bool
    handler: EventHandler
    durable: str | None = None

    def matches(self, topic: tuple[str, ...]) -> bool:
        if not self.is_pattern:
            return self.tokens == topic
        return matches(self.tokens, topic)

    @property
    def group_key(self) -> _GroupKey:
        return (self.durable or "", self.tokens, self.is_pattern)


@dataclass(slots=True)
class _DurableGroup:
    """A named work queue: outlives its members, as a NATS durable consumer does."""

    template: _Subscription
    members: list[_Subscription] = field(default_factory=list)
    turn: int = 0
    waiting: deque[tuple[str, Event]] = field(default_factory=deque)

    def next_member(self) -> _Subscription:
        member = self.members[self.turn % len(self.members)]
        self.turn += 1
        return member


class InMemoryEventBus:
    """``EventBusProtocol`` within one process; nothing crosses to other processes."""

    def __init__(self, *, max_redeliveries: int = 3, max_waiting: int = 10_000) -> None:
        self._connected = False
        self._max_redeliveries = max_redeliveries
        self._max_waiting = max_waiting
        # Insertion order is delivery order.
        self._subscriptions: dict[str, _Subscription] = {}
        self._groups: dict[_GroupKey, _DurableGroup] = {}

    async def connect(self) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self._connected = False
        self._subscriptions.clear()
        self._groups.clear()

    def is_connected(self) -> bool:
        return self._connected

    async def publish(self, topic: str, event: Event) -> None:
        self._require_connection("publish", topic)
        tokens = split_topic(topic, wildcards=False)
        # Snapshots, so handlers may subscribe or unsubscribe while we deliver.
        fan_out = [
            s for s in self._subscriptions.values() if s.durable is None and s.matches(tokens)
        ]
        groups = [g for g in self._groups.values() if g.template.matches(tokens)]
        for subscription in fan_out:
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
        for group in groups:
            if group.members:
                await self._deliver(group, topic, event)
            else:
                self._wait(group, topic, event)

    async def subscribe(
        self, topic: str, handler: EventHandler, *, durable: str | None = None
    ) -> str:
        return await self._add(topic, handler, is_pattern=False, durable=durable)

    async def subscribe_pattern(
        self, pattern: str, handler: EventHandler, *, durable: str | None = None
    ) -> str:
        return await self._add(pattern, handler, is_pattern=True, durable=durable)

    async def unsubscribe(self, subscription_id: str) -> None:
        subscription = self._subscriptions.pop(subscription_id, None)
        if subscription is not None and subscription.durable is not None:
            group = self._groups.get(subscription.group_key)
            if group is not None and subscription in group.members:
                group.members.remove(subscription)

    async def _add(
        self, subject: str, handler: EventHandler, *, is_pattern: bool, durable: str | None
    ) -> str:
        self._require_connection("subscribe", subject)
        tokens = split_topic(subject, wildcards=is_pattern)
        if durable is not None and not durable.strip():
            raise ValueError("a durable subscription needs a non-empty name")
        subscription = _Subscription(str(uuid7()), tokens, is_pattern, handler, durable)
        self._subscriptions[subscription.id] = subscription
        if durable is not None:
            group = self._groups.setdefault(
                subscription.group_key, _DurableGroup(template=subscription)
            )
            group.members.append(subscription)
            # What was published while the group had no member goes to the newcomer now.
            while group.waiting and group.members:
                topic, event = group.waiting.popleft()
                await self._deliver(group, topic, event)
        return subscription.id

    async def _deliver(self, group: _DurableGroup, topic: str, event: Event) -> None:
        for attempt in range(1, self._max_redeliveries + 2):
            if not group.members:
                self._wait(group, topic, event)
                return
            member = group.next_member()
            try:
                await member.handler(event)
                return
            except Exception:
                logger.exception(
                    "durable handler %r (%s) failed on topic %r (event %s, attempt %d of %d)",
                    member.handler,
                    member.durable,
                    topic,
                    event.id,
                    attempt,
                    self._max_redeliveries + 1,
                )
        logger.error(
            "durable subscription %s gave up on event %s (topic %r) after %d attempts",
            group.template.durable,
            event.id,
            topic,
            self._max_redeliveries + 1,
        )

    def _wait(self, group: _DurableGroup, topic: str, event: Event) -> None:
        if len(group.waiting) >= self._max_waiting:
            dropped_topic, dropped = group.waiting.popleft()
            logger.warning(
                "durable subscription %s has no member and %d waiting events: dropped %s (%r)",
                group.template.durable,
                self._max_waiting,
                dropped.id,
                dropped_topic,
            )
        group.waiting.append((topic, event))

    def _require_connection(self, operation: str, topic: str) -> None:
        if not self._connected:
            raise EventBusNotConnectedError(
                f"cannot {operation} on {topic!r}: the event bus is not connected; "
                "await connect() first",
                topic=topic,
            )
