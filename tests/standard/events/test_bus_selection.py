"""init_events chooses the bus: explicit config > another package's entry point > NATS when
``nats_url`` is set > in-process (spec Phase 04 §0 "auto-detect")."""

from __future__ import annotations

from framework_m_core.container import adapter_entry_points
from framework_m_core.settings import Settings
from framework_m_standard.adapters.events.memory import InMemoryEventBus
from framework_m_standard.adapters.events.nats import NatsEventBus
from framework_m_standard.bootstrap.events import build_event_bus


def test_both_standard_buses_are_advertised() -> None:
    loaded = {ep.name: ep.load() for ep in adapter_entry_points("event_bus")}
    assert loaded == {"memory": InMemoryEventBus, "nats": NatsEventBus}


def test_in_process_without_nats_url() -> None:
    assert isinstance(build_event_bus(Settings()), InMemoryEventBus)


def test_nats_when_nats_url_is_set() -> None:
    settings = Settings.model_validate(
        {
            "nats_url": "nats://example.invalid:4222",
            "events": {"stream": "S1", "subject_prefix": "p.q", "ack_wait": 7},
        }
    )
    bus = build_event_bus(settings)
    assert isinstance(bus, NatsEventBus)
    assert (bus.url, bus.stream, bus.subject_prefix) == ("nats://example.invalid:4222", "S1", "p.q")
    assert not bus.is_connected()


def test_explicit_adapter_wins() -> None:
    settings = Settings(
        nats_url="nats://example.invalid:4222",
        adapters={"event_bus": "framework_m_standard.adapters.events.memory:InMemoryEventBus"},
    )
    assert isinstance(build_event_bus(settings), InMemoryEventBus)
