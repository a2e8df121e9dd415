"""The outbox hand-off on SQLite and PostgreSQL: a unit of work hands its committed rows to this
process's relay, which publishes them without reading them back and marks them in batches;
the table stays the fallback (rollbacks, failed publishes, dead relays, stops)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from events_support import Recorder, note_app, save_note, wait_for
from sqlalchemy import select

from framework_m_core.domain.base_doctype import utcnow
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.interfaces.event_bus import Event
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.events.memory import InMemoryEventBus
from framework_m_standard.adapters.events.outbox_relay import OutboxRelay


@pytest.fixture
async def app(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BootstrapContext]:
    """The application on the test database, its own relay stopped: each test runs one."""
    async with note_app(
        database_url, tmp_path, monkeypatch, module="handoff_app", doctype="HandoffNote"
    ) as ctx:
        await ctx.state["outbox_relay"].stop()
        ctx.state.pop("_outbox_relay_unlisten")()
        yield ctx


class CountingRelay(OutboxRelay):
    """Counts the rows its polls claimed and its mark statements."""

    claimed = 0
    marks = 0

    async def relay_batch(self, **options: Any) -> int | None:
        count = await super().relay_batch(**options)
        self.claimed += count or 0
        return count

    async def flush_marks(self) -> None:
        if self._unmarked:
            self.marks += 1
        await super().flush_marks()


class FlakyBus(InMemoryEventBus):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def publish(self, topic: str, event: Event) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("broker unreachable")
        await super().publish(topic, event)


@contextlib.asynccontextmanager
async def _relay(
    ctx: BootstrapContext, bus: Any = None, **options: Any
) -> AsyncIterator[tuple[CountingRelay, Recorder]]:
    """A relay of this process (the consumer of its units of work), running."""
    database: DatabaseRuntime = ctx.state["database"]
    if bus is None:
        bus = InMemoryEventBus()
        await bus.connect()
    recorder = Recorder()
    await bus.subscribe_pattern("doc.>", recorder)
    options = {"poll_interval": 60, **options}
    relay = CountingRelay(
        outbox=database.outbox, unit_of_work=database.unit_of_work, bus=bus, **options
    )
    remove = database.unit_of_work.set_outbox_consumer(relay)
    relay.start()
    try:
        yield relay, recorder
    finally:
        remove()
        await relay.stop()


async def _save(ctx: BootstrapContext, title: str, *, commit: bool = True) -> Any:
    return await save_note(ctx, "HandoffNote", title, commit=commit)


async def _rows(ctx: BootstrapContext) -> list[tuple[str, str, int]]:
    """(title, status, retry_count) of every outbox row, oldest first."""
    database: DatabaseRuntime = ctx.state["database"]
    table = database.outbox.table
    async with database.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(table.c.payload, table.c.status, table.c.retry_count).order_by(
                table.c.created_at, table.c.id
            )
        )
        return [(r.payload["data"]["title"], r.status, r.retry_count) for r in rows]


def _titles(recorder: Recorder) -> list[str]:
    return [e.data["data"]["title"] for e in recorder.events]


async def _settle(relay: CountingRelay) -> None:
    """Until the relay has nothing queued nor published-and-unmarked."""
    await wait_for(lambda: not relay._in_hand, within=10)


async def test_committed_rows_are_published_from_the_hand_off_and_marked_in_one_statement(
    app: BootstrapContext,
) -> None:
    async with _relay(app, mark_interval=0.3) as (relay, recorder):
        await asyncio.sleep(0.05)  # its first poll (of an empty outbox) is done
        claimed_at_start = relay.claimed
        first = await _save(app, "one")
        await _save(app, "never", commit=False)  # rolled back: never handed, never published
        await _save(app, "two")
        await wait_for(lambda: len(recorder.events) == 2, within=5)
        assert _titles(recorder) == ["one", "two"]
        created = recorder.events[0]
        assert created.type == "doc.created"
        assert created.source == "framework_m"
        assert created.data["id"] == str(first.id)
        # Written as handed; published without a poll claiming them.
        assert relay.claimed == claimed_at_start == 0
        await _settle(relay)
        assert await _rows(app) == [("one", "processed", 0), ("two", "processed", 0)]
        assert relay.marks == 1  # both in one statement (within the mark interval)
        # The ids of the events are the rows' ids: a republished copy would be dropped.
        database: DatabaseRuntime = app.state["database"]
        table = database.outbox.table
        async with database.unit_of_work() as uow:
            ids = (await uow.session.execute(select(table.c.id))).scalars().all()
        assert sorted(str(i) for i in ids) == sorted(recorder.ids)


async def test_rows_of_a_dead_relay_wait_for_the_grace_then_a_poll_publishes_them(
    app: BootstrapContext,
) -> None:
    # A process whose relay took its rows and died before publishing them: written handed
    # (a relay accepted them), handed to nobody.
    database: DatabaseRuntime = app.state["database"]

    class Dead:
        target = "events"

        def accepts(self) -> bool:
            return True

        def hand_off(self, rows: list[dict[str, Any]]) -> None:
            pass

        def wake(self) -> None:
            pass

    remove = database.unit_of_work.set_outbox_consumer(Dead())
    await _save(app, "orphan")
    remove()
    assert await _rows(app) == [("orphan", "handed", 0)]
    bus = InMemoryEventBus()
    await bus.connect()
    recorder = Recorder()
    await bus.subscribe_pattern("doc.>", recorder)
    relay = OutboxRelay(outbox=database.outbox, unit_of_work=database.unit_of_work, bus=bus)
    # Younger than the cut: its relay may still be publishing it.
    assert await relay.relay_batch(handed_before=utcnow() - timedelta(seconds=60)) == 0
    assert recorder.events == []
    # Older: the poll takes it.
    assert await relay.relay_batch(handed_before=utcnow() + timedelta(seconds=1)) == 1
    assert _titles(recorder) == ["orphan"]
    assert await _rows(app) == [("orphan", "processed", 0)]


async def test_a_running_relay_polls_rows_nobody_handed_to_it(app: BootstrapContext) -> None:
    """Rows written while no relay accepted them (pending) wake the relay's poll."""
    await _save(app, "before the relay")
    assert await _rows(app) == [("before the relay", "pending", 0)]
    async with _relay(app) as (relay, recorder):
        await wait_for(lambda: relay.claimed == 1, within=5)  # counted after its commit
        assert _titles(recorder) == ["before the relay"]
        await _settle(relay)
        assert await _rows(app) == [("before the relay", "processed", 0)]


async def test_a_failed_publish_sends_the_rest_back_to_the_poll_in_order(
    app: BootstrapContext,
) -> None:
    bus = FlakyBus(failures=0)
    await bus.connect()
    async with _relay(app, bus=bus, poll_interval=0.05, linger=0.2) as (relay, recorder):
        await asyncio.sleep(0.1)
        bus.failures = 1
        for title in ("a", "b", "c"):  # one burst: one round of publishing
            await _save(app, title)
        await wait_for(lambda: len(recorder.events) == 3 and relay.claimed >= 1, within=10)
        # The first publish failed: it and the rows handed with it went back to pending, the
        # poll published them after the backoff, and only then the later hand-offs: in order.
        assert _titles(recorder) == ["a", "b", "c"]
        await _settle(relay)
        assert await _rows(app) == [
            ("a", "processed", 1),
            ("b", "processed", 0),
            ("c", "processed", 0),
        ]


async def test_stop_marks_what_was_published_so_a_drain_does_not_publish_it_again(
    app: BootstrapContext,
) -> None:
    async with _relay(app, mark_interval=60) as (relay, recorder):
        await asyncio.sleep(0.05)
        await _save(app, "x")
        await wait_for(lambda: len(recorder.events) == 1, within=5)
        assert await _rows(app) == [("x", "handed", 0)]  # the mark waits for its interval
        await relay.stop()
        assert await _rows(app) == [("x", "processed", 0)]
        assert await relay.drain() is False
        assert _titles(recorder) == ["x"]


async def test_rows_handed_to_a_stopped_relay_wait_for_a_drain(app: BootstrapContext) -> None:
    async with _relay(app) as (relay, recorder):
        await asyncio.sleep(0.05)
        database: DatabaseRuntime = app.state["database"]
        doctype = app.container.meta_registry().get_doctype("HandoffNote")
        async with database.unit_of_work() as uow:
            await database.repositories.get(doctype).save(
                uow.session, doctype.model_validate({"title": "late"})
            )
            await relay.stop()  # between the write (handed) and the commit
            await uow.commit()
        assert await _rows(app) == [("late", "handed", 0)]
        assert recorder.events == []
        assert await relay.drain() is False  # the final drain of a shutdown
        assert _titles(recorder) == ["late"]
        assert await _rows(app) == [("late", "processed", 0)]
