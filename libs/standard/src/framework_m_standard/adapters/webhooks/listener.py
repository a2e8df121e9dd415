"""``WebhookListener``: document events in, one delivery job per matching webhook out.

It subscribes to ``doc.>`` with the durable name ``webhooks``: every process may run one and
each event reaches one of them. Enabled webhooks are cached; a saved Webhook invalidates the
cache in every process (a fan-out subscription to ``doc.*.Webhook`` besides the durable one),
and a short time-to-live bounds staleness should an invalidation be missed. Events of the
listener's own writes (WebhookLog, and JobLog of the delivery jobs) are never delivered, so
a webhook cannot feed itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Any

from framework_m_core.doctypes.webhook import Webhook
from framework_m_core.doctypes.webhook_log import WebhookLog
from framework_m_core.interfaces.event_bus import DOC_EVENT_TYPES, Event, EventBusProtocol
from framework_m_core.interfaces.job_queue import JobQueueProtocol
from framework_m_core.interfaces.repository import (
    FilterSpec,
    OrderSpec,
    RepositoryFactoryProtocol,
)
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol
from framework_m_standard.adapters.webhooks.condition import ConditionError, evaluate
from framework_m_standard.adapters.webhooks.delivery import DELIVER_JOB

logger = logging.getLogger("framework_m.webhooks")

DURABLE_NAME = "webhooks"
IGNORED_DOCTYPES = frozenset({WebhookLog.get_doctype_name(), "JobLog", Webhook.get_doctype_name()})
"""Never delivered: the listener's own writes (a loop) and the webhooks themselves."""
_PAGE = 500


def event_payload(event: Event) -> dict[str, Any]:
    """The event as the delivery job receives it (JSON-ready)."""
    return {
        "id": event.id,
        "type": event.type,
        "timestamp": event.timestamp.isoformat(),
        "data": event.data,
    }


def matches(webhook: Webhook, event: Event) -> bool:
    """Whether the webhook wants this event: type, DocType filter and condition."""
    if not webhook.enabled or webhook.event != event.type:
        return False
    doctype = event.data.get("doctype")
    if webhook.doctype_filter and webhook.doctype_filter != doctype:
        return False
    if webhook.condition is None:
        return True
    document = event.data.get("data")
    try:
        return evaluate(webhook.condition, document if isinstance(document, dict) else {})
    except ConditionError as exc:
        logger.warning(
            "webhook %s: condition could not be evaluated for event %s: %s",
            webhook.name,
            event.id,
            exc,
        )
        return False


class WebhookListener:
    """Subscribes to document events and enqueues delivery jobs for matching webhooks."""

    def __init__(
        self,
        *,
        event_bus: EventBusProtocol,
        jobs: JobQueueProtocol,
        repositories: RepositoryFactoryProtocol,
        unit_of_work: UnitOfWorkFactoryProtocol,
        durable: str = DURABLE_NAME,
        cache_ttl: float = 60.0,
    ) -> None:
        self._bus = event_bus
        self._jobs = jobs
        self._repositories = repositories
        self._unit_of_work = unit_of_work
        self._durable = durable
        self._cache_ttl = cache_ttl
        self._cache: list[Webhook] | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()
        self._subscriptions: list[str] = []
        # Recently handled event ids: a redelivered event enqueues nothing twice here.
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.enqueued = 0
        """Delivery jobs enqueued by this listener (for tests and metrics)."""

    async def start(self) -> None:
        self._subscriptions.append(
            await self._bus.subscribe_pattern("doc.>", self.handle, durable=self._durable)
        )
        webhook = Webhook.get_doctype_name()
        self._subscriptions.append(
            await self._bus.subscribe_pattern(f"doc.*.{webhook}", self._on_webhook_saved)
        )

    async def stop(self) -> None:
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            await self._bus.unsubscribe(subscription)

    def invalidate(self) -> None:
        """Forget the cached webhooks; the next event loads them again."""
        self._cache = None

    async def _on_webhook_saved(self, event: Event) -> None:
        self.invalidate()

    async def webhooks(self) -> list[Webhook]:
        """The enabled webhooks, from the cache when it is fresh."""
        async with self._lock:
            if self._cache is None or time.monotonic() - self._loaded_at > self._cache_ttl:
                self._loaded_at = time.monotonic()
                self._cache = await self._load()
            return self._cache

    async def _load(self) -> list[Webhook]:
        repository = self._repositories.get(Webhook)
        found: list[Webhook] = []
        async with self._unit_of_work(Webhook.get_meta().bind) as uow:
            while True:
                page = await repository.list(
                    uow.session,
                    [FilterSpec(field="enabled", value=True)],
                    [OrderSpec(field="creation")],
                    limit=_PAGE,
                    offset=len(found),
                    with_total=False,
                )
                found.extend(page.items)
                if len(page.items) < _PAGE:
                    return found

    async def handle(self, event: Event) -> None:
        """Enqueue a delivery of ``event`` for every webhook that matches it."""
        doctype = event.data.get("doctype")
        if doctype == Webhook.get_doctype_name():
            self.invalidate()
        if event.type not in DOC_EVENT_TYPES or doctype in IGNORED_DOCTYPES:
            return
        if event.id in self._seen:
            return
        payload: dict[str, Any] | None = None
        for webhook in await self.webhooks():
            if not matches(webhook, event):
                continue
            payload = payload or event_payload(event)
            await self._jobs.enqueue(DELIVER_JOB, webhook_id=str(webhook.id), event=payload)
            self.enqueued += 1
        self._seen[event.id] = None
        if len(self._seen) > 10_000:
            self._seen.popitem(last=False)
