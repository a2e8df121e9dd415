"""Bootstrap steps of the event bus and the outbox relay: init_events 75, start_outbox_relay 95.

``init_events`` connects the event bus and leaves it in ``state["event_bus"]`` (also bound to
the container's ``event_bus`` port): explicit ``adapters.event_bus`` > an entry point from
another package > NATS JetStream when ``nats_url`` is set > the in-process bus. It also builds
the outbox relay (``state["outbox_relay"]``), to which the units of work of this process hand
their committed outbox rows.

``start_outbox_relay`` starts the relay once the steps that subscribe durably (webhooks 85,
jobs 80) are up, so their queues exist before the first event goes out; at stop it publishes
what is still pending (briefly) before the bus disconnects.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from framework_m_core.container import adapter_entry_points, bind_instance, resolve_adapter
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.interfaces.event_bus import EventBusProtocol
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.events.memory import InMemoryEventBus
from framework_m_standard.adapters.events.nats import NatsEventBus
from framework_m_standard.adapters.events.outbox_relay import OutboxRelay

logger = logging.getLogger("framework_m.bootstrap")

FAULT_ENV = "FRAMEWORK_M_FAULT"
"""Test-only fault hook of the relay (``relay_before_publish``, ``relay_before_mark``)."""
_STANDARD_BUSES = frozenset(
    {
        "framework_m_standard.adapters.events.memory:InMemoryEventBus",
        "framework_m_standard.adapters.events.nats:NatsEventBus",
    }
)
_FINAL_DRAIN_SECONDS = 5.0


def build_event_bus(settings: Settings) -> EventBusProtocol:
    """The event bus the settings choose (not yet connected)."""
    others = [ep for ep in adapter_entry_points("event_bus") if ep.value not in _STANDARD_BUSES]
    factory: Any
    if "event_bus" in settings.adapters or others:
        factory = resolve_adapter("event_bus", settings)
    else:
        factory = NatsEventBus if settings.nats_url else InMemoryEventBus
    from_settings = getattr(factory, "from_settings", None)
    bus: EventBusProtocol = from_settings(settings) if callable(from_settings) else factory()
    return bus


class InitEvents:
    """Connect the event bus; build the outbox relay."""

    name = "init_events"
    order = 75
    priority = 0

    async def run(self, context: BootstrapContext) -> None:
        settings = context.settings
        bus = build_event_bus(settings)
        await bus.connect()
        context.state["event_bus"] = bus
        bind_instance(context.container, "event_bus", bus)
        database: DatabaseRuntime | None = context.state.get("database")
        if database is None or not settings.events.relay_enabled:
            return
        events = settings.events
        relay = OutboxRelay(
            outbox=database.outbox,
            unit_of_work=database.unit_of_work,
            bus=bus,
            batch_size=events.relay_batch_size,
            poll_interval=events.relay_poll_interval,
            linger=events.relay_linger,
            max_attempts=events.relay_max_attempts,
            retention=timedelta(hours=events.relay_retention_hours),
            fault=os.environ.get(FAULT_ENV) or None,
        )
        context.state["outbox_relay"] = relay
        remove: Callable[[], None] = database.unit_of_work.set_outbox_consumer(relay)
        context.state["_outbox_relay_unlisten"] = remove

    async def shutdown(self, context: BootstrapContext) -> None:
        relay: OutboxRelay | None = context.state.pop("outbox_relay", None)
        remove = context.state.pop("_outbox_relay_unlisten", None)
        if remove is not None:
            remove()
        if relay is not None:
            await relay.stop()
        bus: EventBusProtocol | None = context.state.pop("event_bus", None)
        if bus is not None:
            await bus.disconnect()


class StartOutboxRelay:
    """Run the outbox relay in the background of this process."""

    name = "start_outbox_relay"
    order = 95
    priority = 0

    async def run(self, context: BootstrapContext) -> None:
        relay: OutboxRelay | None = context.state.get("outbox_relay")
        if relay is not None:
            relay.start()

    async def shutdown(self, context: BootstrapContext) -> None:
        relay: OutboxRelay | None = context.state.get("outbox_relay")
        if relay is None:
            return
        await relay.stop()
        try:
            # Events of the last requests go out now rather than at the next start.
            await asyncio.wait_for(relay.drain(), timeout=_FINAL_DRAIN_SECONDS)
        except Exception:
            logger.warning("outbox relay: final drain incomplete; the next start resumes it")
