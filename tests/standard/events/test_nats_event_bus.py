"""NatsEventBus on the real NATS JetStream: fan-out, patterns, durable queues, redelivery, dedupe."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import nats
import pytest
from events_support import BusFactory, NatsNames, Recorder, wait_for

from framework_m_core.interfaces.event_bus import Event, EventBusNotConnectedError, EventBusProtocol
from framework_m_standard.adapters.events.nats import NatsEventBus, consumer_name


def _event(kind: str = "doc.created", **data: object) -> Event:
    return Event(source="test", type=kind, data={"doctype": "Invoice", **data})


def test_satisfies_the_port() -> None:
    port: EventBusProtocol = NatsEventBus()  # mypy checks the structural match
    assert not port.is_connected()


async def test_publish_before_connect_raises() -> None:
    bus = NatsEventBus()
    with pytest.raises(EventBusNotConnectedError, match="connect"):
        await bus.publish("doc.created", _event())
    with pytest.raises(EventBusNotConnectedError):
        await bus.subscribe("doc.created", Recorder())


async def test_round_trip_keeps_every_field(nats_bus: BusFactory) -> None:
    bus = await nats_bus()
    recorder = Recorder()
    await bus.subscribe("doc.created.Invoice", recorder)
    sent = Event(
        id="fixed-id-1",
        timestamp=datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        source="test",
        type="doc.created",
        data={"doctype": "Invoice", "nested": {"n": [1, 2.5, None, "x"]}, "ok": True},
    )
    await bus.publish("doc.created.Invoice", sent)
    await wait_for(lambda: len(recorder.events) == 1)
    assert recorder.events == [sent]


async def test_fan_out_reaches_every_process_and_patterns_match(nats_bus: BusFactory) -> None:
    one, two = await nats_bus(), await nats_bus()  # two connections, as two processes
    exact_1, exact_2, one_token, rest, other = (Recorder() for _ in range(5))
    await one.subscribe("doc.created.Invoice", exact_1)
    await two.subscribe("doc.created.Invoice", exact_2)
    await two.subscribe_pattern("doc.*.Invoice", one_token)
    await one.subscribe_pattern("doc.>", rest)
    await one.subscribe_pattern("job.*", other)
    created, updated, customer = _event(), _event("doc.updated"), _event(doctype="Customer")
    await one.publish("doc.created.Invoice", created)
    await two.publish("doc.updated.Invoice", updated)
    await one.publish("doc.created.Customer", customer)
    await wait_for(lambda: len(rest.events) == 3)
    await wait_for(lambda: len(one_token.events) == 2)
    assert exact_1.ids == exact_2.ids == [created.id]
    assert one_token.ids == [created.id, updated.id]
    assert rest.ids == [created.id, updated.id, customer.id]  # order kept
    assert other.events == []


async def test_fan_out_sees_only_what_is_published_after_subscribing(
    nats_bus: BusFactory,
) -> None:
    bus = await nats_bus()
    early = _event()
    await bus.publish("doc.created.Invoice", early)
    recorder = Recorder()
    await bus.subscribe_pattern("doc.>", recorder)
    late = _event()
    await bus.publish("doc.created.Invoice", late)
    await wait_for(lambda: late.id in recorder.ids)
    assert recorder.ids == [late.id]


async def test_unsubscribe_stops_delivery(nats_bus: BusFactory) -> None:
    bus = await nats_bus()
    dropped, kept = Recorder(), Recorder()
    subscription = await bus.subscribe("doc.created.Invoice", dropped)
    await bus.subscribe("doc.created.Invoice", kept)
    await bus.publish("doc.created.Invoice", first := _event())
    await wait_for(lambda: len(dropped.events) == 1 and len(kept.events) == 1)
    await bus.unsubscribe(subscription)
    await bus.unsubscribe("no-such-subscription")  # ignored
    await bus.publish("doc.created.Invoice", second := _event())
    await wait_for(lambda: len(kept.events) == 2)
    assert dropped.ids == [first.id]
    assert kept.ids == [first.id, second.id]


async def test_a_failing_handler_keeps_its_subscription(nats_bus: BusFactory) -> None:
    bus = await nats_bus()
    calls: list[str] = []

    async def flaky(event: Event) -> None:
        calls.append(event.id)
        if len(calls) == 1:
            raise RuntimeError("boom")

    await bus.subscribe("doc.created.Invoice", flaky)
    await bus.publish("doc.created.Invoice", first := _event())
    await bus.publish("doc.created.Invoice", second := _event())
    await wait_for(lambda: len(calls) == 2)
    assert calls == [first.id, second.id]


@pytest.mark.parametrize("topic", ["doc.*", "doc.>", "doc..created", "doc created"])
async def test_invalid_topics_are_refused(nats_bus: BusFactory, topic: str) -> None:
    bus = await nats_bus()
    with pytest.raises(ValueError, match=r"topic|wildcards|whitespace"):
        await bus.publish(topic, _event())
    with pytest.raises(ValueError, match=r"topic|wildcards|whitespace"):
        await bus.subscribe(topic, Recorder())


async def test_durable_subscribers_share_the_events(nats_bus: BusFactory) -> None:
    one, two = await nats_bus(), await nats_bus()
    first, second = Recorder(), Recorder()

    async def slow_first(event: Event) -> None:
        await asyncio.sleep(0.005)  # so both members have requests outstanding
        await first(event)

    async def slow_second(event: Event) -> None:
        await asyncio.sleep(0.005)
        await second(event)

    await one.subscribe_pattern("doc.>", slow_first, durable="webhooks")
    await two.subscribe_pattern("doc.>", slow_second, durable="webhooks")
    sent = [_event(n=n) for n in range(30)]
    for event in sent:
        await one.publish("doc.created.Invoice", event)
    await wait_for(lambda: len(first.events) + len(second.events) >= 30)
    received = first.ids + second.ids
    assert sorted(received) == sorted(e.id for e in sent)  # each exactly once
    assert first.events  # shared, not all to one
    assert second.events


async def test_durable_queue_keeps_events_while_nobody_listens(nats_bus: BusFactory) -> None:
    bus = await nats_bus()
    before = Recorder()
    subscription = await bus.subscribe("doc.created.Invoice", before, durable="projection")
    await bus.unsubscribe(subscription)
    waiting = [_event(n=n) for n in range(3)]
    for event in waiting:
        await bus.publish("doc.created.Invoice", event)
    later_bus = await nats_bus()  # a process started later
    after = Recorder()
    await later_bus.subscribe("doc.created.Invoice", after, durable="projection")
    await wait_for(lambda: len(after.events) == 3)
    assert after.ids == [e.id for e in waiting]
    assert before.events == []


async def test_durable_handler_that_raises_gets_the_event_again(nats_bus: BusFactory) -> None:
    bus = await nats_bus(redelivery_delay=0.05)
    attempts: list[str] = []

    async def fails_twice(event: Event) -> None:
        attempts.append(event.id)
        if len(attempts) <= 2:
            raise RuntimeError("receiver down")

    await bus.subscribe("doc.created.Invoice", fails_twice, durable="retrying")
    await bus.publish("doc.created.Invoice", event := _event())
    await wait_for(lambda: len(attempts) == 3)
    assert attempts == [event.id] * 3


async def test_durable_redeliveries_are_bounded(
    nats_bus: BusFactory, nats_names: NatsNames
) -> None:
    bus = await nats_bus(redelivery_delay=0.02, max_redeliveries=2)
    attempts: list[str] = []

    async def always_fails(event: Event) -> None:
        attempts.append(event.id)
        raise RuntimeError("never works")

    await bus.subscribe("doc.created.Invoice", always_fails, durable="doomed")
    await bus.publish("doc.created.Invoice", event := _event())
    await wait_for(lambda: len(attempts) == 3)
    nc = await nats.connect(nats_names.url)
    try:
        name = consumer_name("doomed", f"{nats_names.prefix}.doc.created.Invoice")
        jsm = nc.jetstream()

        async def settled() -> bool:
            info = await jsm.consumer_info(nats_names.stream, name)
            return bool(info.num_ack_pending == 0 and info.num_pending == 0)

        deadline = asyncio.get_running_loop().time() + 10
        while not await settled():
            assert asyncio.get_running_loop().time() < deadline, "the message was never settled"
            await asyncio.sleep(0.02)
    finally:
        await nc.close()
    assert attempts == [event.id] * 3  # one delivery + two redeliveries, then terminated


async def test_a_republished_event_id_is_stored_once(nats_bus: BusFactory) -> None:
    bus = await nats_bus()
    recorder = Recorder()
    await bus.subscribe_pattern("doc.>", recorder, durable="dedupe")
    event = _event()
    await bus.publish("doc.created.Invoice", event)
    await bus.publish("doc.created.Invoice", event)  # a relay that crashed before marking
    await bus.publish("doc.created.Invoice", sentinel := _event())
    await wait_for(lambda: sentinel.id in recorder.ids)
    assert recorder.ids == [event.id, sentinel.id]


def test_consumer_names_are_safe_and_per_subject() -> None:
    a = consumer_name("web hooks.v1>*", "p.doc.>")
    assert a.startswith("web_hooks_v1__")
    assert a != consumer_name("web hooks.v1>*", "p.doc.*")
    assert consumer_name("x", "p.doc.>") == consumer_name("x", "p.doc.>")
