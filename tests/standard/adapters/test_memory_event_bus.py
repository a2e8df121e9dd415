"""The in-process event bus: delivery, NATS-style patterns, unsubscribe, failing handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from framework_m_core.interfaces.event_bus import Event, EventBusNotConnectedError, EventBusProtocol
from framework_m_standard.adapters.events import InMemoryEventBus


@pytest.fixture
async def bus() -> AsyncIterator[InMemoryEventBus]:
    bus = InMemoryEventBus()
    await bus.connect()
    yield bus
    await bus.disconnect()


def _event(kind: str = "doc.created") -> Event:
    return Event(source="test", type=kind, data={"doctype": "Invoice"})


class Recorder:
    def __init__(self, label: str = "", log: list[tuple[str, str]] | None = None) -> None:
        self.label = label
        self.events: list[Event] = []
        self.log = log if log is not None else []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)
        self.log.append((self.label, event.id))


def test_satisfies_the_port() -> None:
    port: EventBusProtocol = InMemoryEventBus()  # mypy checks the structural match
    assert not port.is_connected()


async def test_connect_and_disconnect() -> None:
    bus = InMemoryEventBus()
    assert not bus.is_connected()
    await bus.connect()
    assert bus.is_connected()
    await bus.disconnect()
    assert not bus.is_connected()


async def test_publish_before_connect_raises() -> None:
    bus = InMemoryEventBus()
    with pytest.raises(EventBusNotConnectedError, match="connect") as info:
        await bus.publish("doc.created", _event())
    assert info.value.context == {"topic": "doc.created"}
    with pytest.raises(EventBusNotConnectedError):
        await bus.subscribe("doc.created", Recorder())


async def test_disconnect_drops_subscriptions(bus: InMemoryEventBus) -> None:
    recorder = Recorder()
    await bus.subscribe("doc.created", recorder)
    await bus.disconnect()
    await bus.connect()
    await bus.publish("doc.created", _event())
    assert recorder.events == []


async def test_exact_topic_delivery(bus: InMemoryEventBus) -> None:
    created, updated = Recorder(), Recorder()
    await bus.subscribe("doc.created", created)
    await bus.subscribe("doc.updated", updated)
    event = _event()
    await bus.publish("doc.created", event)
    assert created.events == [event]
    assert updated.events == []
    # Exact subscriptions do not match longer or shorter topics.
    await bus.publish("doc.created.Invoice", _event())
    await bus.publish("doc", _event())
    assert created.events == [event]


async def test_handlers_run_in_subscription_order(bus: InMemoryEventBus) -> None:
    log: list[tuple[str, str]] = []
    await bus.subscribe_pattern("doc.>", Recorder("pattern-first", log))
    await bus.subscribe("doc.created", Recorder("exact", log))
    await bus.subscribe_pattern("doc.*", Recorder("pattern-last", log))
    event = _event()
    await bus.publish("doc.created", event)
    assert log == [("pattern-first", event.id), ("exact", event.id), ("pattern-last", event.id)]


async def test_one_token_wildcard(bus: InMemoryEventBus) -> None:
    recorder = Recorder()
    await bus.subscribe_pattern("doc.*", recorder)
    await bus.publish("doc.created", first := _event())
    await bus.publish("doc.updated", second := _event("doc.updated"))
    await bus.publish("doc.created.Invoice", _event())  # two tokens after doc
    await bus.publish("doc", _event())  # no token after doc
    await bus.publish("job.created", _event())
    assert recorder.events == [first, second]


async def test_wildcard_in_the_middle(bus: InMemoryEventBus) -> None:
    recorder = Recorder()
    await bus.subscribe_pattern("doc.*.Invoice", recorder)
    await bus.publish("doc.created.Invoice", first := _event())
    await bus.publish("doc.created.Customer", _event())
    await bus.publish("doc.updated.Invoice", second := _event())
    assert recorder.events == [first, second]


async def test_rest_wildcard(bus: InMemoryEventBus) -> None:
    recorder = Recorder()
    await bus.subscribe_pattern("doc.>", recorder)
    await bus.publish("doc.created", first := _event())
    await bus.publish("doc.created.Invoice", second := _event())
    await bus.publish("doc", _event())  # '>' needs at least one token
    await bus.publish("docs.created", _event())
    assert recorder.events == [first, second]


async def test_pattern_without_wildcards_matches_exactly(bus: InMemoryEventBus) -> None:
    recorder = Recorder()
    await bus.subscribe_pattern("doc.created", recorder)
    await bus.publish("doc.created", event := _event())
    await bus.publish("doc.created.x", _event())
    assert recorder.events == [event]


@pytest.mark.parametrize("pattern", ["", "doc.", ".doc", "doc..x", "doc.>.x", "doc.cre*", "a.b>"])
async def test_invalid_patterns_are_rejected(bus: InMemoryEventBus, pattern: str) -> None:
    with pytest.raises(ValueError, match=r"'\*'|'>'|topic"):
        await bus.subscribe_pattern(pattern, Recorder())


@pytest.mark.parametrize("topic", ["doc.*", "doc.>", "doc..created"])
async def test_wildcards_are_not_topics(bus: InMemoryEventBus, topic: str) -> None:
    with pytest.raises(ValueError, match=r"wildcards|topic"):
        await bus.subscribe(topic, Recorder())
    with pytest.raises(ValueError, match=r"wildcards|topic"):
        await bus.publish(topic, _event())


async def test_unsubscribe(bus: InMemoryEventBus) -> None:
    kept, dropped, dropped_pattern = Recorder(), Recorder(), Recorder()
    await bus.subscribe("doc.created", kept)
    exact_id = await bus.subscribe("doc.created", dropped)
    pattern_id = await bus.subscribe_pattern("doc.*", dropped_pattern)
    assert len({exact_id, pattern_id}) == 2
    await bus.unsubscribe(exact_id)
    await bus.unsubscribe(pattern_id)
    await bus.unsubscribe("no-such-subscription")  # ignored
    await bus.publish("doc.created", event := _event())
    assert kept.events == [event]
    assert dropped.events == []
    assert dropped_pattern.events == []


async def test_a_failing_handler_does_not_stop_the_others(
    bus: InMemoryEventBus, caplog: pytest.LogCaptureFixture
) -> None:
    before, after = Recorder(), Recorder()

    async def broken(event: Event) -> None:
        raise RuntimeError("handler exploded")

    await bus.subscribe("doc.created", before)
    await bus.subscribe("doc.created", broken)
    await bus.subscribe_pattern("doc.*", after)
    with caplog.at_level(logging.ERROR, logger="framework_m_standard.adapters.events.memory"):
        await bus.publish("doc.created", event := _event())
    assert before.events == [event]
    assert after.events == [event]
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "doc.created" in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


async def test_handler_may_unsubscribe_itself_during_publish(bus: InMemoryEventBus) -> None:
    calls: list[str] = []
    subscription: dict[str, str] = {}

    async def once(event: Event) -> None:
        calls.append(event.id)
        await bus.unsubscribe(subscription["id"])

    subscription["id"] = await bus.subscribe("doc.created", once)
    later = Recorder()
    await bus.subscribe("doc.created", later)
    await bus.publish("doc.created", first := _event())
    await bus.publish("doc.created", second := _event())
    assert calls == [first.id]
    assert later.events == [first, second]


async def test_durable_members_take_turns(bus: InMemoryEventBus) -> None:
    log: list[tuple[str, str]] = []
    fan_out = Recorder("fan-out", log)
    await bus.subscribe_pattern("doc.>", Recorder("a", log), durable="webhooks")
    await bus.subscribe_pattern("doc.>", Recorder("b", log), durable="webhooks")
    await bus.subscribe_pattern("doc.>", fan_out)
    events = [_event() for _ in range(4)]
    for event in events:
        await bus.publish("doc.created.Invoice", event)
    durable = [(label, event_id) for label, event_id in log if label != "fan-out"]
    assert durable == [
        ("a", events[0].id),
        ("b", events[1].id),
        ("a", events[2].id),
        ("b", events[3].id),
    ]
    assert fan_out.events == events


async def test_durable_groups_are_separate_per_name(bus: InMemoryEventBus) -> None:
    first, second = Recorder(), Recorder()
    await bus.subscribe("doc.created", first, durable="one")
    await bus.subscribe("doc.created", second, durable="two")
    await bus.publish("doc.created", event := _event())
    assert first.events == [event]
    assert second.events == [event]


async def test_a_raising_durable_handler_gets_the_event_again_a_bounded_number_of_times(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = InMemoryEventBus(max_redeliveries=2)
    await bus.connect()
    attempts: list[str] = []

    async def fails_once(event: Event) -> None:
        attempts.append(event.id)
        if len(attempts) == 1:
            raise RuntimeError("first try fails")

    await bus.subscribe("doc.created", fails_once, durable="retry")
    await bus.publish("doc.created", first := _event())
    assert attempts == [first.id, first.id]

    doomed: list[str] = []

    async def always_fails(event: Event) -> None:
        doomed.append(event.id)
        raise RuntimeError("never works")

    await bus.subscribe("doc.updated", always_fails, durable="doomed")
    with caplog.at_level(logging.ERROR, logger="framework_m_standard.adapters.events.memory"):
        await bus.publish("doc.updated", second := _event("doc.updated"))
    assert doomed == [second.id] * 3  # one delivery and two redeliveries
    assert any("gave up" in r.getMessage() for r in caplog.records)


async def test_durable_events_wait_for_the_next_member(bus: InMemoryEventBus) -> None:
    first = Recorder()
    subscription = await bus.subscribe("doc.created", first, durable="projection")
    await bus.unsubscribe(subscription)
    waiting = [_event(), _event()]
    for event in waiting:
        await bus.publish("doc.created", event)
    later = Recorder()
    await bus.subscribe("doc.created", later, durable="projection")
    assert later.events == waiting
    assert first.events == []


async def test_durable_name_must_not_be_blank(bus: InMemoryEventBus) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        await bus.subscribe("doc.created", Recorder(), durable=" ")
