"""The outbox relay: publishes committed outbox rows of target ``events`` on the event bus.

A document's transaction writes its event to the outbox table, so an event exists if and only
if its transaction committed. Each row is published as
``Event(id=str(row.id), source="framework_m", type=payload["type"], data=payload)`` on topic
``f"{type}.{doctype}"``; a batch row (a bulk save's, ``{"batch": {...}}``) as one such event
per document in it, with ids derived from the row's (``framework_m_core.domain.outbox.unpack``).

Two ways in:

- **Hand-off** (the fast path). A unit of work of this process writes its rows as ``handed``
  and, once its COMMIT succeeded, hands them to the relay (``hand_off``). The relay publishes
  them in commit order without reading them back, and marks them ``processed`` a little later,
  many in one statement (write-behind: at most ``mark_interval`` seconds after the publish, or
  at ``batch_size`` rows). If the process dies before the mark, the rows stay unpublished in
  the table: the next relay to look (this process restarted, or another one) publishes them
  again once they are ``handoff_grace`` seconds old, with the same event id.
- **Poll** (the crash-safe fallback): every ``poll_interval`` seconds, or soon after a commit
  that wrote ``pending`` rows (no relay was running to take them), the relay claims the oldest
  unpublished rows in batches: ``pending`` ones, and ``handed`` ones older than the grace
  (their relay died or lags). It publishes them and marks them in the same short transaction.
  On PostgreSQL a batch holds a transaction-level advisory lock (one polling relay at a time)
  and claims with ``FOR UPDATE SKIP LOCKED``.

Delivery is at least once, never for a rollback: a row published twice (a relay died before
its mark, or one lagged past the grace) keeps its event id, JetStream drops the copy within its
duplicate window, and subscribers deduplicate by ``event.id``. Order: each process publishes
its own rows in commit order; rows of different processes are ordered by the time each relay
publishes (a few milliseconds after the commit).

A failed publish counts an attempt on its row; that row and the ones handed after it go back
to ``pending`` for the poll, which retries them in order with backoff, and after
``max_attempts`` marks the row ``failed``. Processed rows older than ``retention`` are deleted
now and then.

Test fault hook: ``fault="relay_before_publish"`` / ``"relay_before_mark"`` (the bootstrap
step reads ``FRAMEWORK_M_FAULT``) ends the process with ``os._exit(137)`` at that point of a
non-empty batch, like ``kill -9`` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol
from uuid import UUID

from sqlalchemy import text

from framework_m_core.domain.base_doctype import utcnow
from framework_m_core.domain.outbox import OutboxEntry, unpack
from framework_m_core.interfaces.event_bus import Event, EventBusProtocol
from framework_m_standard.adapters.events.topics import split_topic

logger = logging.getLogger(__name__)

EVENTS_TARGET: Final = "events"
EVENT_SOURCE: Final = "framework_m"
FAULTS: Final = frozenset({"relay_before_publish", "relay_before_mark"})
# pg_try_advisory_xact_lock key: one relay of the events outbox at a time per database.
_ADVISORY_KEY: Final = 0x464D_4F55_5442_4F58  # "FMOUTBOX"
_BUSY_RETRY: Final = 0.05
_MAX_BACKOFF: Final = 30.0
_CLEANUP_EVERY: Final = 600.0


class OutboxStore(Protocol):
    """What the relay needs of the outbox (``SqlAlchemyOutboxRepository``)."""

    async def claim_pending(
        self,
        session: Any,
        target: str,
        *,
        limit: int,
        skip_locked: bool,
        handed_before: datetime | None = None,
    ) -> list[OutboxEntry]: ...

    async def mark_processed_many(self, session: Any, ids: Sequence[UUID]) -> None: ...

    async def release(self, session: Any, ids: Sequence[UUID]) -> None: ...

    async def record_failure(
        self, session: Any, id: UUID, error: str, *, give_up: bool
    ) -> None: ...

    async def delete_processed(self, session: Any, *, before: datetime) -> int: ...


UnitOfWorkFactory = Any
"""``SqlAlchemyUnitOfWorkFactory``: ``factory(bind)`` -> an async unit of work with ``session``
(its ``dialect`` names the database) and ``commit()``."""


_topics: dict[tuple[str, str], str] = {}
"""Topics checked once per event type and DocType (the relay publishes thousands a second)."""


def _event(id: UUID, payload: dict[str, Any], created_at: datetime) -> tuple[str, Event]:
    """The topic and the event of one event payload; ``ValueError`` if it cannot be one."""
    kind, doctype = payload.get("type"), payload.get("doctype")
    if not isinstance(kind, str) or not isinstance(doctype, str):
        raise ValueError("payload needs string 'type' and 'doctype'")
    topic = _topics.get((kind, doctype))
    if topic is None:
        topic = f"{kind}.{doctype}"
        split_topic(topic, wildcards=False)
        if len(_topics) < 10_000:
            _topics[kind, doctype] = topic
    # Built, not validated: the fields are the row's own, typed as Event declares them.
    event = Event.model_construct(
        id=str(id), timestamp=created_at, source=EVENT_SOURCE, type=kind, data=payload
    )
    return topic, event


class OutboxRelay:
    """Moves committed outbox rows to the event bus; one per process."""

    target = EVENTS_TARGET

    def __init__(
        self,
        *,
        outbox: OutboxStore,
        unit_of_work: UnitOfWorkFactory,
        bus: EventBusProtocol,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        linger: float = 0.0,
        max_attempts: int = 20,
        retention: timedelta = timedelta(hours=24),
        fault: str | None = None,
        bind: str = "default",
        mark_interval: float = 0.1,
        handoff_grace: float = 5.0,
    ) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(sorted(FAULTS))}")
        self._outbox = outbox
        self._unit_of_work = unit_of_work
        self._bus = bus
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._linger = linger
        self._max_attempts = max_attempts
        self._retention = retention
        self._fault = fault
        self._bind = bind
        self._mark_interval = mark_interval
        self._handoff_grace = timedelta(seconds=handoff_grace)
        self._wake = asyncio.Event()
        self._poll_soon = False
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._stopped = asyncio.Event()
        # Hand-off: rows to publish (commit order), and published ids not yet marked.
        self._handed: deque[dict[str, Any]] = deque()
        self._unmarked: list[UUID] = []
        self._mark_due = 0.0
        self._in_hand: set[UUID] = set()
        """Ids queued or published here and not yet marked: a poll of this relay skips them."""
        self.published = 0
        """Events published by this relay (including ones JetStream found duplicate)."""

    # ------------------------------------------------------------------ lifecycle
    def wake(self) -> None:
        """Look at the outbox table soon (a commit in this process wrote ``pending`` rows)."""
        self._poll_soon = True
        self._wake.set()

    def accepts(self) -> bool:
        """Whether rows written now will be published by this relay from a hand-off."""
        return self._task is not None and not self._stopping and not self._task.done()

    def hand_off(self, rows: list[dict[str, Any]]) -> None:
        """Committed ``handed`` rows of this process, in commit order: publish them soon."""
        if not self.accepts():
            return  # the table keeps them; a poll takes them after the grace
        self._handed.extend(rows)
        self._in_hand.update(row["id"] for row in rows)
        self._wake.set()

    def start(self) -> None:
        """Run in the background until ``stop``."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self, *, grace: float = 10.0) -> None:
        """Let the batch in flight finish (cancelling a database call midway could leak its
        connection) and mark what was published, then end the background task; cancel it
        after ``grace`` seconds. Handed rows not yet published stay in the table for a poll
        (``drain``)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._stopped.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=grace)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            self._stopping = False
            self._stopped.clear()
            for row in self._handed:
                self._in_hand.discard(row["id"])
            self._handed.clear()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        failures = 0
        loop = asyncio.get_running_loop()
        last_cleanup = -_CLEANUP_EVERY
        next_poll = loop.time()  # a first look at once: leftovers of earlier runs
        # After a failure, rows older than the queued hand-offs may wait in the table: the
        # hand-offs wait until a poll has published those.
        held = False
        while not self._stopping:
            self._wake.clear()
            try:
                if loop.time() - last_cleanup >= _CLEANUP_EVERY:
                    last_cleanup = loop.time()
                    await self.cleanup()
                if held or self._poll_soon or loop.time() >= next_poll:
                    self._poll_soon = False
                    busy = await self._drain(utcnow() - self._handoff_grace)
                    # Busy: another process holds the poll lock; its batch may end before ours.
                    next_poll = loop.time() + (_BUSY_RETRY if busy else self._poll_interval)
                    held = held and busy
                if self._handed and not held:
                    await self._publish_handed()
                if self._unmarked and (
                    loop.time() >= self._mark_due or len(self._unmarked) >= self._batch_size
                ):
                    await self.flush_marks()
            except Exception:
                failures += 1
                held = True
                delay = min(self._poll_interval * 2 ** (failures - 1), _MAX_BACKOFF)
                logger.exception(
                    "outbox relay failed (%d in a row); again in %.1fs", failures, delay
                )
                await self._pause(delay, wakeable=False)  # commits must not cut the backoff
                continue
            failures = 0
            # Published hand-offs wait for their mark, unless a failure holds everything back.
            until = min(next_poll, self._mark_due) if self._unmarked and not held else next_poll
            woken = await self._pause(max(until - loop.time(), 0.0))
            if woken and self._linger and not self._stopping:
                # Commits come in bursts under load: one round of publishing for the burst.
                await self._pause(self._linger, wakeable=False)
        # Stopping: what was published is marked now, so that nobody publishes it again.
        try:
            if self._handed and not held:
                await self._publish_handed()
            await self.flush_marks()
        except Exception:
            logger.exception("outbox relay: marks at stop failed; the rows will be republished")

    async def _pause(self, seconds: float, *, wakeable: bool = True) -> bool:
        """Sleep until ``seconds`` pass, ``stop`` is called or (``wakeable``) a commit wakes
        us; whether the event came (rather than the time ran out)."""
        event = self._wake if wakeable else self._stopped
        # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that arrives as
        # the event does, and the relay would outlive a cancelling stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()
                return True
        return False

    # ------------------------------------------------------------------ hand-off
    async def _publish_handed(self) -> None:
        """Publish the handed rows in order; the ids go to the next mark. A row that cannot
        be an event is parked as ``failed``; a failed publish sends that row and the rest back
        to ``pending`` (the poll retries them in order) and raises."""
        rows = list(self._handed)
        self._handed.clear()
        first_unmarked = not self._unmarked
        self._inject("relay_before_publish")
        done, poisoned, failure = await self._publish_each(
            [(row["id"], row["created_at"], row["payload"]) for row in rows]
        )
        self._unmarked.extend(done)
        if first_unmarked and self._unmarked:
            self._mark_due = asyncio.get_running_loop().time() + self._mark_interval
        if not poisoned and failure is None:
            return
        poison = [(rows[index]["id"], error) for index, error in poisoned]
        left = rows[failure[0] :] if failure is not None else []
        for row in left:
            self._in_hand.discard(row["id"])
        for id, _ in poison:
            self._in_hand.discard(id)
        async with self._unit_of_work(self._bind) as uow:
            for id, error in poison:
                await self._outbox.record_failure(uow.session, id, error, give_up=True)
            if failure is not None:
                await self._outbox.release(uow.session, [row["id"] for row in left])
                first = left[0]
                give_up = self._max_attempts <= 1
                await self._outbox.record_failure(
                    uow.session, first["id"], failure[1], give_up=give_up
                )
            await uow.commit()
        if failure is not None:
            raise RuntimeError(f"publishing outbox entry {left[0]['id']} failed: {failure[1]}")

    async def flush_marks(self) -> None:
        """Mark the rows published from hand-offs ``processed``, in one statement."""
        if not self._unmarked:
            return
        ids, self._unmarked = self._unmarked, []
        self._inject("relay_before_mark")
        try:
            async with self._unit_of_work(self._bind) as uow:
                await self._outbox.mark_processed_many(uow.session, ids)
                await uow.commit()
        except BaseException:
            self._unmarked = ids + self._unmarked  # the next round tries again
            raise
        self._in_hand.difference_update(ids)

    # ------------------------------------------------------------------ poll
    async def drain(self) -> bool:
        """Publish batches until the outbox has no unpublished row (rows handed to this relay
        and not yet published aside); True if another relay held the lock (on PostgreSQL) so
        this one did nothing more."""
        return await self._drain(None)

    async def _drain(self, handed_before: datetime | None) -> bool:
        while True:
            count = await self.relay_batch(handed_before=handed_before)
            if count is None:
                return True
            if count < self._batch_size:
                return False

    async def relay_batch(self, *, handed_before: datetime | None = None) -> int | None:
        """Claim, publish and mark one batch in one transaction; how many rows it claimed
        (None: busy). ``handed_before``: see ``claim_pending`` (None: every unpublished row).

        A failed publish counts an attempt on its row, keeps the rows published before it,
        and raises so the caller backs off (the rows after it keep their order).
        """
        async with self._unit_of_work(self._bind) as uow:
            session = uow.session
            postgres = session.dialect.name == "postgresql"
            if postgres:
                locked = await session.execute(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY}
                )
                if not locked.scalar():
                    return None
            claimed = await self._outbox.claim_pending(
                session,
                EVENTS_TARGET,
                limit=self._batch_size,
                skip_locked=postgres,
                handed_before=handed_before,
            )
            # Rows this relay holds from a hand-off are published (or queued) here already.
            entries = [e for e in claimed if e.id not in self._in_hand]
            if not entries:
                return 0
            self._inject("relay_before_publish")
            done, poison, failure = await self._publish(entries)
            self._inject("relay_before_mark")
            await self._outbox.mark_processed_many(session, done)
            for entry, error in poison:
                # Nothing will make this row publishable: park it as failed.
                await self._outbox.record_failure(session, entry.id, error, give_up=True)
            if failure is not None:
                entry, error = failure
                give_up = entry.retry_count + 1 >= self._max_attempts
                if entry.status == "handed" and not give_up:
                    await self._outbox.release(session, [entry.id])
                await self._outbox.record_failure(session, entry.id, error, give_up=give_up)
            await uow.commit()
        if failure is not None:
            raise RuntimeError(f"publishing outbox entry {failure[0].id} failed: {failure[1]}")
        return len(entries)

    async def _publish(
        self, entries: Sequence[OutboxEntry]
    ) -> tuple[list[UUID], list[tuple[OutboxEntry, str]], tuple[OutboxEntry, str] | None]:
        """``_publish_each`` of claimed rows, with the rows themselves in its answer."""
        done, poisoned, failure = await self._publish_each(
            [(entry.id, entry.created_at, entry.payload) for entry in entries]
        )
        poison = [(entries[index], error) for index, error in poisoned]
        return done, poison, None if failure is None else (entries[failure[0]], failure[1])

    async def _publish_each(
        self, rows: Sequence[tuple[UUID, datetime, dict[str, Any]]]
    ) -> tuple[list[UUID], list[tuple[int, str]], tuple[int, str] | None]:
        """Publish ``(id, created_at, payload)`` rows in order: the ids published, the rows
        that cannot be events (index, why), and the first row whose publish failed (index,
        why; the rows after it wait for the next attempt)."""
        done: list[UUID] = []
        poison: list[tuple[int, str]] = []
        for index, (id, created_at, payload) in enumerate(rows):
            try:
                # A batch row is checked whole first: it is published whole or parked whole.
                events = [_event(*pair, created_at) for pair in unpack(id, payload)]
            except ValueError as exc:
                logger.error("outbox entry %s cannot be an event: %s", id, exc)
                poison.append((index, str(exc)))
                continue
            for topic, event in events:
                try:
                    await self._bus.publish(topic, event)
                except Exception as exc:
                    # A batch row's retry publishes its first events again, with their ids.
                    return done, poison, (index, f"{type(exc).__name__}: {exc}")
                self.published += 1
            done.append(id)
        return done, poison, None

    async def cleanup(self) -> int:
        """Delete processed rows older than the retention; how many went."""
        async with self._unit_of_work(self._bind) as uow:
            removed = await self._outbox.delete_processed(
                uow.session, before=utcnow() - self._retention
            )
            if removed:
                await uow.commit()
        if removed:
            logger.info("outbox relay deleted %d processed entries", removed)
        return removed

    def _inject(self, point: str) -> None:
        if self._fault == point:
            logger.critical("fault hook %s: ending the process", point)
            os._exit(137)
