"""``Scheduler``: enqueue cron jobs once per schedule tick, however many processes run it.

Schedules come from code (``@job(cron=...)``), from enabled ``ScheduledJob`` documents and
from ``JobQueue.schedule``. Every scheduler computes the same ticks; a tick is claimed by
inserting its JobLog under an id derived from (schedule, tick) (UUID v5). The database's
primary key lets exactly one insert win, and the claim and the job's log are the same row
written in one transaction, so there is no claims table to clean up and no tick whose
JobLog says nothing. (A NATS KV ``create`` would work as well, but would need a second
write, to the JobLog, that can fail after the claim.)
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from croniter import croniter  # type: ignore[import-untyped]

from framework_m_core.doctypes.scheduled_job import ScheduledJob
from framework_m_core.exceptions import ConflictError, VersionConflictError
from framework_m_core.interfaces.repository import (
    FilterSpec,
    RepositoryFactoryProtocol,
)
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol
from framework_m_core.jobs import JobRegistry, check_cron, is_job
from framework_m_standard.adapters.jobs.base import BaseJobQueue

logger = logging.getLogger("framework_m.jobs.scheduler")

TICK_NAMESPACE = uuid.UUID("5f0c3c52-4a55-4b7e-9d3e-6a1f8c1d2b10")
MAX_SLEEP = 1.0
"""Longest nap between checks: a new schedule or a clock jump is noticed within it."""


def tick_job_id(key: str, tick: float) -> uuid.UUID:
    """The job id of one tick of one schedule: the same in every process."""
    return uuid.uuid5(TICK_NAMESPACE, f"{key}@{tick:.3f}")


def _iter(cron: str, start: float) -> croniter:
    return croniter(
        cron, datetime.fromtimestamp(start, UTC), second_at_beginning=len(cron.split()) == 6
    )


def next_tick(cron: str, after: float) -> float:
    """The first tick of ``cron`` strictly after ``after`` (Unix time)."""
    return float(_iter(cron, after).get_next(float))


@dataclass
class Schedule:
    key: str
    job_name: str
    cron: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    document: ScheduledJob | None = None
    cursor: float = 0.0
    """Ticks up to this time have been handled."""


class Scheduler:
    def __init__(
        self,
        *,
        queue: BaseJobQueue,
        registry: JobRegistry,
        repositories: RepositoryFactoryProtocol,
        unit_of_work: UnitOfWorkFactoryProtocol,
        refresh: float = 10.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.queue = queue
        self.registry = registry
        self._repo = repositories.get(ScheduledJob)
        self._uow = unit_of_work
        self.refresh = refresh
        self.clock = clock
        self.sleep = sleep
        self._schedules: dict[str, Schedule] = {}
        self._task: asyncio.Task[None] | None = None
        self._last_refresh = float("-inf")

    # ------------------------------------------------------------ schedules
    def add(self, job_name: str, cron: str, kwargs: dict[str, Any] | None = None) -> str:
        """A schedule added at runtime (``JobQueue.schedule``); its key."""
        cron = check_cron(cron)
        key = f"api:{job_name}:{cron}"
        self._schedules[key] = Schedule(
            key, job_name, cron, dict(kwargs or {}), cursor=self.clock()
        )
        return key

    def remove(self, key: str) -> bool:
        return self._schedules.pop(key, None) is not None

    def schedule_keys(self) -> list[str]:
        return sorted(self._schedules)

    async def load(self) -> None:
        """(Re)read schedules from code and from the enabled ScheduledJob documents."""
        now = self.clock()
        wanted: dict[str, Schedule] = {}
        for registered in self.registry.scheduled():
            assert registered.options.cron is not None
            key = f"code:{registered.name}"
            wanted[key] = Schedule(key, registered.name, registered.options.cron)
        async with self._uow() as uow:
            page = await self._repo.list(
                uow.session,
                [FilterSpec(field="enabled", value=True)],
                limit=10_000,
                with_total=False,
            )
        for doc in page.items:
            name = self._resolve(doc.function)
            if name is None:
                logger.warning("ScheduledJob %s: no job %r", doc.name, doc.function)
                continue
            key = f"doc:{doc.id}:{doc.cron_expression}"
            wanted[key] = Schedule(key, name, doc.cron_expression, document=doc)
        for key in [k for k in self._schedules if not k.startswith("api:") and k not in wanted]:
            del self._schedules[key]
        for key, schedule in wanted.items():
            current = self._schedules.get(key)
            if current is None:
                schedule.cursor = now
                self._schedules[key] = schedule
            else:
                current.document = schedule.document
        self._last_refresh = now

    def _resolve(self, function: str) -> str | None:
        """A registered job name, or the dotted path of a ``@job`` function (registered now)."""
        if function in self.registry:
            return function
        module_name, _, attr = function.rpartition(".")
        if not module_name:
            return None
        try:
            target = getattr(importlib.import_module(module_name), attr, None)
        except ImportError:
            return None
        if target is None or not is_job(target):
            return None
        return self.registry.register(target).name

    # ------------------------------------------------------------ ticks
    async def tick(self, now: float | None = None) -> list[str]:
        """Enqueue every schedule's latest tick due since the last check; the job ids this
        process claimed (ticks another process claimed first are skipped)."""
        now = self.clock() if now is None else now
        claimed: list[str] = []
        for schedule in list(self._schedules.values()):
            due = None
            upcoming = next_tick(schedule.cron, schedule.cursor)
            while upcoming <= now:  # missed ticks collapse into the latest one
                due = upcoming
                upcoming = next_tick(schedule.cron, upcoming)
            schedule.cursor = now
            if due is None:
                continue
            job_id = await self._claim(schedule, due)
            if job_id is not None:
                claimed.append(job_id)
                await self._record_run(schedule, due, upcoming)
        return claimed

    async def _claim(self, schedule: Schedule, tick: float) -> str | None:
        job_id = tick_job_id(schedule.key, tick)
        # Seen first: usually another scheduler got there already. The primary key below is
        # what guarantees one run; this only spares the database a failing insert.
        if await self.queue.logs.get(job_id) is not None:
            return None
        try:
            return await self.queue.enqueue_job(
                schedule.job_name,
                schedule.kwargs,
                job_id=job_id,
                schedule=schedule.key,
            )
        except ConflictError:
            return None  # another process claimed this tick
        except Exception:
            logger.exception("schedule %s could not enqueue %s", schedule.key, schedule.job_name)
            return None

    async def _record_run(self, schedule: Schedule, tick: float, upcoming: float) -> None:
        if schedule.document is None:
            return
        async with self._uow() as uow:
            doc = await self._repo.get(uow.session, schedule.document.id)
            if doc is None:
                return
            doc.last_run = datetime.fromtimestamp(tick, UTC)
            doc.next_run = datetime.fromtimestamp(upcoming, UTC)
            try:
                await self._repo.save(uow.session, doc, doc.version, user="system")
                await uow.commit()
            except VersionConflictError:
                return  # edited meanwhile; the next tick records again

    def seconds_to_next(self, now: float) -> float:
        soonest = min(
            (next_tick(s.cron, s.cursor) for s in self._schedules.values()), default=now + MAX_SLEEP
        )
        return max(0.0, min(soonest - now, MAX_SLEEP))

    # ------------------------------------------------------------ loop
    async def run(self) -> None:
        """Check schedules until cancelled."""
        while True:
            try:
                now = self.clock()
                if now - self._last_refresh >= self.refresh:
                    await self.load()
                await self.tick(now)
            except Exception:
                logger.exception("scheduler pass failed")
            await self.sleep(self.seconds_to_next(self.clock()) or 0.01)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="framework_m-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
