"""The outbox relay on SQLite and PostgreSQL: order, wake-up after commit, rollbacks, failures,
concurrent relays, cleanup; and the bus chosen by init_events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from events_support import NatsNames, Recorder, note_app, save_note, wait_for
from sqlalchemy import select, update

from framework_m_core.domain.base_doctype import utcnow
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.interfaces.event_bus import Event
from framework_m_standard.adapters.db.outbox_repository import EVENTS_PER_ROW
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.events.memory import InMemoryEventBus
from framework_m_standard.adapters.events.nats import NatsEventBus
from framework_m_standard.adapters.events.outbox_relay import OutboxRelay


@pytest.fixture
async def app(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BootstrapContext]:
    """The application booted on the test database, in-process bus, relay running."""
    async with note_app(
        database_url, tmp_path, monkeypatch, module="relay_app", doctype="RelayNote"
    ) as ctx:
        yield ctx


def _parts(ctx: BootstrapContext) -> tuple[DatabaseRuntime, Any, Any]:
    database: DatabaseRuntime = ctx.state["database"]
    doctype = ctx.container.meta_registry().get_doctype("RelayNote")
    return database, doctype, database.repositories.get(doctype)


async def _save(ctx: BootstrapContext, title: str, *, commit: bool = True) -> Any:
    return await save_note(ctx, "RelayNote", title, commit=commit)


async def _statuses(database: DatabaseRuntime) -> list[tuple[str, int]]:
    table = database.outbox.table
    async with database.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(table.c.status, table.c.retry_count).order_by(table.c.created_at, table.c.id)
        )
        return [(row.status, row.retry_count) for row in rows]


async def test_committed_changes_are_published_in_order_right_after_commit(
    app: BootstrapContext,
) -> None:
    bus = app.state["event_bus"]
    assert isinstance(bus, InMemoryEventBus)
    assert app.container.event_bus() is bus
    recorder = Recorder()
    await bus.subscribe_pattern("doc.*.RelayNote", recorder)
    database, _, repository = _parts(app)
    note = await _save(app, "first")
    await _save(app, "never", commit=False)  # rolled back
    async with database.unit_of_work() as uow:
        note.title = "second"
        await repository.save(uow.session, note)
        await uow.commit()
    # The poll interval is 60 s: only the after-commit wake-up delivers this quickly.
    await wait_for(lambda: len(recorder.events) == 2, within=5)
    created, updated = recorder.events
    assert (created.type, updated.type) == ("doc.created", "doc.updated")
    assert created.source == "framework_m"
    assert created.data["id"] == updated.data["id"] == str(note.id)
    assert [e.data["data"]["title"] for e in recorder.events] == ["first", "second"]
    # Marked in the relay's transaction, which ends just after the publish.
    for _ in range(500):
        if await _statuses(database) == [("processed", 0), ("processed", 0)]:
            break
        await asyncio.sleep(0.01)
    assert await _statuses(database) == [("processed", 0), ("processed", 0)]


class FlakyBus(InMemoryEventBus):
    """An in-process bus whose first ``failures`` publishes fail, as a broker outage would."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def publish(self, topic: str, event: Event) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("broker unreachable")
        await super().publish(topic, event)


async def _recording(bus: InMemoryEventBus) -> Recorder:
    """``bus`` connected, with a recorder of every document event on it."""
    await bus.connect()
    recorder = Recorder()
    await bus.subscribe_pattern("doc.>", recorder)
    return recorder


def _relay(database: DatabaseRuntime, bus: Any, **options: Any) -> OutboxRelay:
    return OutboxRelay(
        outbox=database.outbox, unit_of_work=database.unit_of_work, bus=bus, **options
    )


async def test_failed_publish_is_counted_and_retried(app: BootstrapContext) -> None:
    database, _, _ = _parts(app)
    await app.state["outbox_relay"].stop()  # this test drives its own relay
    await _save(app, "a")
    await _save(app, "b")
    bus = FlakyBus(failures=2)
    recorder = await _recording(bus)
    relay = _relay(database, bus, max_attempts=5)
    with pytest.raises(RuntimeError, match="broker unreachable"):
        await relay.drain()
    with pytest.raises(RuntimeError, match="broker unreachable"):
        await relay.drain()
    assert await _statuses(database) == [("pending", 2), ("pending", 0)]
    assert await relay.drain() is False
    assert [e.data["data"]["title"] for e in recorder.events] == ["a", "b"]
    assert await _statuses(database) == [("processed", 2), ("processed", 0)]


async def test_gives_up_after_max_attempts_and_parks_malformed_rows(
    app: BootstrapContext,
) -> None:
    database, _, _ = _parts(app)
    await app.state["outbox_relay"].stop()
    await _save(app, "doomed")
    async with database.unit_of_work() as uow:
        await database.outbox.add_payloads(uow.session, "events", [{"type": "doc.created"}])
        await uow.commit()
    await _save(app, "fine")
    bus = FlakyBus(failures=1)
    recorder = await _recording(bus)
    relay = _relay(database, bus, max_attempts=1)
    with pytest.raises(RuntimeError):
        await relay.drain()
    assert await relay.drain() is False
    statuses = await _statuses(database)
    assert statuses == [("failed", 1), ("failed", 1), ("processed", 0)]
    assert [e.data["data"]["title"] for e in recorder.events] == ["fine"]


async def test_concurrent_relays_publish_each_row_once_in_order(app: BootstrapContext) -> None:
    database, doctype, repository = _parts(app)
    await app.state["outbox_relay"].stop()
    async with database.unit_of_work() as uow:
        for n in range(60):
            await repository.save(uow.session, doctype.model_validate({"title": f"n{n:02d}"}))
        await uow.commit()
    bus = InMemoryEventBus()
    recorder = await _recording(bus)
    relays = [_relay(database, bus, batch_size=7) for _ in range(3)]
    while any(status == "pending" for status, _ in await _statuses(database)):
        await asyncio.gather(*(relay.drain() for relay in relays))
    titles = [e.data["data"]["title"] for e in recorder.events]
    if database.connections.get_engine("default").dialect.name == "postgresql":
        assert titles == [f"n{n:02d}" for n in range(60)]  # once each, in order
    else:
        # SQLite: relays of one process may overlap; JetStream and subscribers dedupe by id.
        assert sorted(set(titles)) == [f"n{n:02d}" for n in range(60)]
    assert len({e.id for e in recorder.events}) == 60


class CountingRelay(OutboxRelay):
    """Counts the relay transactions that published something."""

    batches = 0

    async def relay_batch(self, **options: Any) -> int | None:
        count = await super().relay_batch(**options)
        if count:
            self.batches += 1
        return count


async def test_commits_of_one_moment_share_one_relay_transaction(app: BootstrapContext) -> None:
    """With a linger, a burst of commits is published by one relay transaction, not one each;
    without it, the relay runs as soon as the first commit wakes it."""
    database, _, _ = _parts(app)
    await app.state["outbox_relay"].stop()
    bus = app.state["event_bus"]
    recorder = Recorder()
    await bus.subscribe_pattern("doc.*.RelayNote", recorder)
    for linger, burst in ((0.5, "late"), (0.0, "early")):
        relay = CountingRelay(
            outbox=database.outbox,
            unit_of_work=database.unit_of_work,
            bus=bus,
            poll_interval=60,
            linger=linger,
        )
        remove = database.unit_of_work.add_commit_listener(relay.wake)
        relay.start()
        try:
            await asyncio.sleep(0.05)  # its first look at the (empty) outbox is done
            await _save(app, f"{burst}-0")
            await asyncio.sleep(0.05)
            for n in range(1, 4):
                await _save(app, f"{burst}-{n}")
            await wait_for(
                lambda b=burst: sum(b in e.data["data"]["title"] for e in recorder.events) == 4,
                within=5,
            )
        finally:
            remove()
            await relay.stop()
        # Lingering, the four commits went out together; eagerly, the first went alone.
        if linger:
            assert relay.batches == 1
        else:
            assert relay.batches >= 2


async def _bulk_save(ctx: BootstrapContext, titles: list[str]) -> list[Any]:
    database, doctype, repository = _parts(ctx)
    notes = [doctype.model_validate({"title": title}) for title in titles]
    async with database.unit_of_work() as uow:
        await repository.bulk_save(uow.session, notes)
        await uow.commit()
    return notes


async def test_a_bulk_saves_batch_rows_go_out_as_one_event_per_document(
    app: BootstrapContext,
) -> None:
    """Hand-off: the relay running in the process publishes a bulk save's rows at once."""
    database, _, _ = _parts(app)
    recorder = Recorder()
    await app.state["event_bus"].subscribe_pattern("doc.created.RelayNote", recorder)
    count = EVENTS_PER_ROW * 2 + 1
    notes = await _bulk_save(app, [f"b{n:04d}" for n in range(count)])
    await wait_for(lambda: len(recorder.events) == count, within=10)
    assert [e.data["id"] for e in recorder.events] == [str(note.id) for note in notes]
    assert len({e.id for e in recorder.events}) == count
    for _ in range(500):
        if await _statuses(database) == [("processed", 0)] * 3:
            break
        await asyncio.sleep(0.01)
    assert await _statuses(database) == [("processed", 0)] * 3


class FailingAt(InMemoryEventBus):
    """An in-process bus whose publish number ``at`` (1-based) fails, once."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.calls = 0
        self.at = at

    async def publish(self, topic: str, event: Event) -> None:
        self.calls += 1
        if self.calls == self.at:
            raise ConnectionError("broker unreachable")
        await super().publish(topic, event)


async def test_a_batch_row_failing_midway_is_republished_whole_with_the_same_ids(
    app: BootstrapContext,
) -> None:
    database, _, _ = _parts(app)
    await app.state["outbox_relay"].stop()  # the rows wait as pending for this test's relay
    notes = await _bulk_save(app, ["x0", "x1", "x2"])
    bus = FailingAt(2)
    recorder = await _recording(bus)
    relay = _relay(database, bus, max_attempts=5)
    with pytest.raises(RuntimeError, match="broker unreachable"):
        await relay.drain()
    assert await _statuses(database) == [("pending", 1)]
    assert await relay.drain() is False
    first, *again = recorder.events
    assert [e.data["id"] for e in again] == [str(note.id) for note in notes]
    # At least once: the event published before the failure comes again, with its id.
    assert (first.id, first.data["id"]) == (again[0].id, str(notes[0].id))
    assert len({e.id for e in again}) == 3
    assert await _statuses(database) == [("processed", 1)]


async def test_a_batch_row_with_a_malformed_event_is_parked_whole(app: BootstrapContext) -> None:
    database, _, _ = _parts(app)
    await app.state["outbox_relay"].stop()
    batch: dict[str, Any] = {"type": "doc.created", "doctype": "RelayNote", "user": None}
    batch["keys"] = ["id", "name"]
    # The first document's values are fine, the second's are short of one.
    batch["rows"] = [["a", "a"], ["b"]]
    async with database.unit_of_work() as uow:
        await database.outbox.add_payloads(uow.session, "events", [{"batch": batch}])
        await uow.commit()
    await _save(app, "after")
    bus = InMemoryEventBus()
    recorder = await _recording(bus)
    assert await _relay(database, bus).drain() is False
    assert await _statuses(database) == [("failed", 1), ("processed", 0)]
    assert [e.data["data"].get("title") for e in recorder.events] == ["after"]


async def test_cleanup_deletes_old_processed_rows(app: BootstrapContext) -> None:
    database, _, _ = _parts(app)
    relay: OutboxRelay = app.state["outbox_relay"]
    await relay.stop()
    await _save(app, "old")
    await relay.drain()
    await _save(app, "pending")
    table = database.outbox.table
    async with database.unit_of_work() as uow:
        await uow.session.execute(
            update(table)
            .where(table.c.status == "processed")
            .values(processed_at=utcnow() - timedelta(days=3))
        )
        await uow.commit()
    assert await relay.cleanup() == 1
    assert await _statuses(database) == [("pending", 0)]


async def test_relay_publishes_on_nats_when_nats_url_is_set(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nats_names: NatsNames
) -> None:
    async with note_app(
        database_url,
        tmp_path,
        monkeypatch,
        module="relay_app",
        doctype="RelayNote",
        nats_url=nats_names.url,
        events=nats_names.event_settings(),
        jobs=nats_names.job_settings(),
    ) as ctx:
        bus = ctx.state["event_bus"]
        assert isinstance(bus, NatsEventBus)
        assert bus.is_connected()
        assert ctx.container.event_bus() is bus
        recorder = Recorder()
        await bus.subscribe_pattern("doc.created.*", recorder, durable="relay-test")
        note = await _save(ctx, "over nats")
        await wait_for(lambda: len(recorder.events) == 1)
        [event] = recorder.events
        assert event.type == "doc.created"
        assert event.data["id"] == str(note.id)
    assert not bus.is_connected()  # disconnected at stop
