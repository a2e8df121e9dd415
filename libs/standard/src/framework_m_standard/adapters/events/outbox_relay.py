"""The outbox relay: publishes committed outbox rows of target ``events`` on the event bus.

A document's transaction writes its event to the outbox table; only a committed row is ever
seen here, so an event exists if and only if its transaction committed. The relay takes the
oldest pending rows in batches, publishes each as
``Event(id=str(row.id), source="framework_m", type=payload["type"], data=payload)`` on topic
``f"{type}.{doctype}"``, then marks them processed in the same short transaction.

If the process dies after publishing and before marking, the rows stay pending and are
published again with the same event id: JetStream drops the copy within its duplicate window
and subscribers deduplicate by ``event.id`` anyway. At least once, never for a rollback.

PostgreSQL: a batch holds a transaction-level advisory lock (one relay publishes at a time, so
events keep their order across processes) and claims its rows with ``FOR UPDATE SKIP LOCKED``.
SQLite has one writer anyway; two relays there may publish a row twice, which dedupe absorbs.

It runs as a background task in every process that boots, woken right after a commit in this
process and every ``poll_interval`` seconds as a backstop (other processes' commits, leftovers
after a restart). A publish that fails counts an attempt on the row and the relay backs off;
after ``max_attempts`` the row is marked ``failed``. Processed rows older than ``retention``
are deleted now and then.

Test fault hook: ``fault="relay_before_publish"`` / ``"relay_before_mark"`` (the bootstrap
step reads ``FRAMEWORK_M_FAULT``) ends the process with ``os._exit(137)`` at that point of a
non-empty batch, like ``kill -9`` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol
from uuid import UUID

from sqlalchemy import text

from framework_m_core.domain.base_doctype import utcnow
from framework_m_core.domain.outbox import OutboxEntry
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
        self, session: Any, target: str, *, limit: int, skip_locked: bool
    ) -> list[OutboxEntry]: ...

    async def mark_processed_many(self, session: Any, ids: Sequence[UUID]) -> None: ...

    async def record_failure(
        self, session: Any, id: UUID, error: str, *, give_up: bool
    ) -> None: ...

    async def delete_processed(self, session: Any, *, before: datetime) -> int: ...


UnitOfWorkFactory = Any
"""``SqlAlchemyUnitOfWorkFactory``: ``factory(bind)`` -> an async unit of work with ``session``
(its ``dialect`` names the database) and ``commit()``."""


def event_of(entry: OutboxEntry) -> tuple[str, Event]:
    """The topic and the event of an outbox row; ``ValueError`` if the payload cannot be one."""
    payload = entry.payload
    kind, doctype = payload.get("type"), payload.get("doctype")
    if not isinstance(kind, str) or not isinstance(doctype, str):
        raise ValueError("payload needs string 'type' and 'doctype'")
    topic = f"{kind}.{doctype}"
    split_topic(topic, wildcards=False)
    event = Event(
        id=str(entry.id),
        timestamp=entry.created_at,
        source=EVENT_SOURCE,
        type=kind,
        data=payload,
    )
    return topic, event


class OutboxRelay:
    """Moves committed outbox rows to the event bus; one per process."""

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
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._stopped = asyncio.Event()
        self.published = 0
        """Events published by this relay (including ones JetStream found duplicate)."""

    # ------------------------------------------------------------------ lifecycle
    def wake(self) -> None:
        """Look at the outbox now (called after a commit in this process)."""
        self._wake.set()

    def start(self) -> None:
        """Run in the background until ``stop``."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self, *, grace: float = 10.0) -> None:
        """Let the batch in flight finish (cancelling a database call midway could leak its
        connection), then end the background task; cancel it after ``grace`` seconds."""
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

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        failures = 0
        last_cleanup = -_CLEANUP_EVERY
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            try:
                if loop.time() - last_cleanup >= _CLEANUP_EVERY:
                    last_cleanup = loop.time()
                    await self.cleanup()
                busy = await self.drain()
            except Exception:
                failures += 1
                delay = min(self._poll_interval * 2 ** (failures - 1), _MAX_BACKOFF)
                logger.exception(
                    "outbox relay failed (%d in a row); again in %.1fs", failures, delay
                )
                await self._pause(delay, wakeable=False)  # commits must not cut the backoff
                continue
            failures = 0
            # Busy: another process holds the relay lock; its batch may end before our rows.
            woken = await self._pause(_BUSY_RETRY if busy else self._poll_interval)
            if woken and self._linger and not self._stopping:
                # Commits come in bursts under load: one relay transaction for the burst.
                await self._pause(self._linger, wakeable=False)

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

    # ------------------------------------------------------------------ work
    async def drain(self) -> bool:
        """Publish batches until the outbox has no pending row; True if another relay held
        the lock (on PostgreSQL) so this one did nothing more."""
        while True:
            count = await self.relay_batch()
            if count is None:
                return True
            if count < self._batch_size:
                return False

    async def relay_batch(self) -> int | None:
        """Publish one batch and mark it processed; how many rows it took (None: busy).

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
            entries = await self._outbox.claim_pending(
                session, EVENTS_TARGET, limit=self._batch_size, skip_locked=postgres
            )
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
                await self._outbox.record_failure(session, entry.id, error, give_up=give_up)
            await uow.commit()
        if failure is not None:
            raise RuntimeError(f"publishing outbox entry {failure[0].id} failed: {failure[1]}")
        return len(entries)

    async def _publish(
        self, entries: Sequence[OutboxEntry]
    ) -> tuple[list[UUID], list[tuple[OutboxEntry, str]], tuple[OutboxEntry, str] | None]:
        """Publish in order: the ids published, the rows that cannot be events, and the
        first row whose publish failed (the rest wait for the next attempt)."""
        done: list[UUID] = []
        poison: list[tuple[OutboxEntry, str]] = []
        for entry in entries:
            try:
                topic, event = event_of(entry)
            except ValueError as exc:
                logger.error("outbox entry %s cannot be an event: %s", entry.id, exc)
                poison.append((entry, str(exc)))
                continue
            try:
                await self._bus.publish(topic, event)
            except Exception as exc:
                return done, poison, (entry, f"{type(exc).__name__}: {exc}")
            done.append(entry.id)
            self.published += 1
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
