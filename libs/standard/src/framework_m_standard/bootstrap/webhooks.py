"""Bootstrap step ``init_webhooks`` (order 85): the Webhook controller, the delivery job, and
the listener that turns document events into deliveries.

It runs after ``init_events`` (75, ``state["event_bus"]``) and ``init_jobs`` (80,
``state["jobs"]``, ``state["job_registry"]``). Without an event bus or a job queue there is
nothing to listen to or enqueue on: the controller is registered and the listener is not
started. ``state["webhooks"]`` holds the running ``WebhookListener``.
"""

from __future__ import annotations

import logging

from framework_m_core.doctypes.webhook import Webhook
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.registry import MetaRegistry
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.webhooks.controllers import WebhookController
from framework_m_standard.adapters.webhooks.delivery import deliver
from framework_m_standard.adapters.webhooks.listener import WebhookListener

logger = logging.getLogger("framework_m.bootstrap")


class InitWebhooks:
    """Register the Webhook controller and the delivery job; start the listener."""

    name = "init_webhooks"
    order = 85
    priority = 0

    async def run(self, context: BootstrapContext) -> None:
        registry: MetaRegistry = context.state["registry"]
        registry.register_controller(Webhook, WebhookController)  # type: ignore[arg-type]
        job_registry = context.state.get("job_registry")
        if job_registry is not None:
            job_registry.register(deliver)
        event_bus = context.state.get("event_bus")
        jobs = context.state.get("jobs")
        if event_bus is None or jobs is None:
            logger.info("webhooks: no event bus or job queue, the listener is not started")
            return
        database: DatabaseRuntime = context.state["database"]
        listener = WebhookListener(
            event_bus=event_bus,
            jobs=jobs,
            repositories=database.repositories,
            unit_of_work=database.unit_of_work,
        )
        await listener.start()
        context.state["webhooks"] = listener

    async def shutdown(self, context: BootstrapContext) -> None:
        listener: WebhookListener | None = context.state.pop("webhooks", None)
        if listener is not None:
            await listener.stop()
