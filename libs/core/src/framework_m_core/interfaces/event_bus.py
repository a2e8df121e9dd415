"""Event bus port: publish domain events on topics and deliver them to subscribed handlers.

The in-process bus is the default; NATS JetStream is the production adapter. Topics are
dot-separated tokens (``doc.created.Invoice``); patterns follow NATS wildcards: ``*``
matches exactly one token, ``>`` (last token only) matches one or more remaining tokens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Final, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from framework_m_core.domain.ids import uuid7
from framework_m_core.exceptions import FrameworkError

DocEventType = Literal[
    "doc.created", "doc.updated", "doc.deleted", "doc.submitted", "doc.cancelled"
]
DOC_CREATED: Final = "doc.created"
DOC_UPDATED: Final = "doc.updated"
DOC_DELETED: Final = "doc.deleted"
DOC_SUBMITTED: Final = "doc.submitted"
DOC_CANCELLED: Final = "doc.cancelled"
DOC_EVENT_TYPES: frozenset[str] = frozenset(DocEventType.__args__)  # type: ignore[attr-defined]


def _new_event_id() -> str:
    return str(uuid7())


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Something that happened: ``type`` says what, ``source`` who said so, ``data`` the details.

    ``type`` is any string; the document lifecycle uses the ``doc.*`` names of
    ``DocEventType``. ``data`` must be JSON-serialisable so the event can cross processes.
    """

    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=_new_event_id)
    timestamp: datetime = Field(default_factory=_utc_now)
    source: str
    type: str
    data: dict[str, Any] = Field(default_factory=dict)


EventHandler = Callable[[Event], Awaitable[None]]


class EventBusNotConnectedError(FrameworkError):
    """``publish`` or ``subscribe`` was called before ``connect()`` (or after ``disconnect()``)."""

    code = "event_bus_not_connected"


class EventBusProtocol(Protocol):
    """Topic-based publish/subscribe; subscriptions are identified by the id they return."""

    async def connect(self) -> None:
        """Open the connection to the broker (a no-op for in-process buses besides a flag)."""
        ...

    async def disconnect(self) -> None:
        """Close the connection; subscriptions stop receiving events."""
        ...

    def is_connected(self) -> bool:
        """Whether ``connect()`` succeeded and ``disconnect()`` has not been called since."""
        ...

    async def publish(self, topic: str, event: Event) -> None:
        """Deliver the event to every handler subscribed to the topic or a matching pattern."""
        ...

    async def subscribe(
        self, topic: str, handler: EventHandler, *, durable: str | None = None
    ) -> str:
        """Call ``handler`` for every event published on exactly this topic; the subscription id.

        Without ``durable`` every subscriber receives every event published while it is
        subscribed (fan-out: realtime, caches). With ``durable="name"`` the subscribers that
        share the name, in any process, share one queue: each event goes to one of them, at
        least once; a handler that raises gets the event again later; events published while
        none of them runs wait for the next one (webhooks, projections).
        """
        ...

    async def subscribe_pattern(
        self, pattern: str, handler: EventHandler, *, durable: str | None = None
    ) -> str:
        """``subscribe`` for every topic matching a wildcard pattern (``doc.*``, ``doc.>``)."""
        ...

    async def unsubscribe(self, subscription_id: str) -> None:
        """Stop a subscription; unknown ids are ignored."""
        ...
