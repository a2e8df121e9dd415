"""NATS JetStream for event tests: a unique stream and subject prefix per test, deleted after."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import nats
import pytest
from events_support import BusFactory, NatsNames
from nats.errors import Error as NatsError

from framework_m_standard.adapters.events.nats import NatsEventBus
from service_support import service_unavailable

NATS_URL = os.environ.get("FRAMEWORK_M_TEST_NATS_URL", "nats://127.0.0.1:4222")


@pytest.fixture
async def nats_names() -> AsyncIterator[NatsNames]:
    """Stream names and a subject prefix nobody else uses; the streams are deleted afterwards."""
    token = uuid.uuid4().hex[:12]
    names = NatsNames(NATS_URL, f"FM_TEST_{token}", f"fmtest.{token}")
    try:
        nc = await nats.connect(NATS_URL, connect_timeout=3, max_reconnect_attempts=0)
    except (OSError, NatsError, TimeoutError) as exc:
        service_unavailable(f"NATS at {NATS_URL} is unreachable: {exc}")
    try:
        yield names
    finally:
        for stream in (names.stream, names.jobs_stream):
            with contextlib.suppress(NatsError):  # never created
                await nc.jetstream().delete_stream(stream)
        await nc.close()


@pytest.fixture
async def nats_bus(nats_names: NatsNames) -> AsyncIterator[BusFactory]:
    """Connected buses on the test's stream (each its own connection, like separate processes)."""
    buses: list[NatsEventBus] = []

    async def make(**options: float) -> NatsEventBus:
        bus = NatsEventBus(
            url=nats_names.url,
            stream=nats_names.stream,
            subject_prefix=nats_names.prefix,
            **options,  # type: ignore[arg-type]
        )
        await bus.connect()
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        await bus.disconnect()
