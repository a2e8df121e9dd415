"""``JobLogStore``: the JobLog rows of job runs, written as the system.

The JobLog is the source of truth for a job's state across processes: a worker claims an
attempt by moving the row to Running in a transaction with an optimistic version check, so a
stale or duplicate message of a job that already moved on is recognised and dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

from framework_m_core.doctypes.job_log import FINISHED_STATUSES, JobLog
from framework_m_core.exceptions import VersionConflictError
from framework_m_core.interfaces.repository import RepositoryFactoryProtocol
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol

SYSTEM = "system"

logger = logging.getLogger("framework_m.jobs")
Item = TypeVar("Item")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming an attempt: ``run`` it, or ``skip`` the message (``why``)."""

    action: Literal["run", "skip", "give_up"]
    attempt: int = 0
    log: JobLog | None = None
    why: str = ""


@dataclass
class _End:
    """The end of an attempt to record on its JobLog."""

    log: JobLog
    attempt: int
    status: Literal["Success", "Failed", "Queued"]
    error: str | None
    result: dict[str, Any] | None
    not_before: datetime | None

    def apply(self) -> None:
        self.log.status = self.status
        self.log.error = self.error
        if self.status == "Queued":
            self.log.not_before = self.not_before
        else:
            self.log.completed_at = utcnow()
            self.log.result = self.result


class _Together(Generic[Item]):
    """Group commit: what is submitted while a batch is being written goes in the next one,
    so a lone submit is written at once and a busy worker writes many per transaction."""

    def __init__(self, write: Callable[[list[Item]], Awaitable[list[bool]]], limit: int) -> None:
        self._write = write
        self._limit = limit
        self._pending: list[tuple[Item, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> bool:
        """Whether ``item`` was written (False: the caller writes it on its own)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self._limit], self._pending[self._limit :]
            try:
                results = await self._write([item for item, _ in batch])
            except Exception:
                results = [False] * len(batch)
            except BaseException:
                # Cancelled (shutdown): no submitter may wait forever.
                for _, future in batch + self._pending:
                    if not future.done():
                        future.set_result(False)
                self._pending = []
                raise
            for (_, future), saved in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(saved)


class JobLogStore:
    def __init__(
        self, *, repositories: RepositoryFactoryProtocol, unit_of_work: UnitOfWorkFactoryProtocol
    ) -> None:
        self._repo = repositories.get(JobLog)
        self._uow = unit_of_work
        self._updates: _Together[tuple[JobLog, int]] = _Together(self._update_together, limit=50)
        self._creates: _Together[JobLog] = _Together(self._create_together, limit=50)

    async def create(
        self,
        *,
        job_id: UUID,
        job_name: str,
        kwargs: dict[str, Any],
        max_attempts: int,
        user: str | None,
        schedule: str | None = None,
    ) -> JobLog:
        """The Queued row of a new job; ``ConflictError`` when the id exists (a claimed tick).

        Rows enqueued at about the same time are inserted in one transaction; if that one
        fails (a duplicate id aborts it), each is inserted again on its own, so only the
        duplicate raises."""

        def row() -> JobLog:
            return JobLog(
                id=job_id,
                name=str(job_id),
                job_id=str(job_id),
                job_name=job_name,
                status="Queued",
                enqueued_at=enqueued_at,
                max_attempts=max_attempts,
                kwargs=kwargs,
                user=user,
                schedule=schedule,
            )

        enqueued_at = utcnow()
        log = row()
        if await self._creates.submit(log):
            return log
        log = row()  # the failed batch marked the first one saved
        async with self._uow(write_behind=True) as uow:
            await self._repo.save(uow.session, log, user=SYSTEM)
            await uow.commit()
        return log

    async def _create_together(self, logs: list[JobLog]) -> list[bool]:
        """Insert several new rows in one transaction (the repository's multi-row INSERT)."""
        try:
            async with self._uow(write_behind=True) as uow:
                await self._repo.bulk_save(uow.session, logs, user=SYSTEM)
                await uow.commit()
        except Exception:
            return [False] * len(logs)
        return [True] * len(logs)

    async def get(self, job_id: UUID) -> JobLog | None:
        async with self._uow() as uow:
            return await self._repo.get(uow.session, job_id)

    async def claim(self, job_id: UUID, attempt: int, *, known: JobLog | None = None) -> Claim:
        """Move the job to Running for this message's ``attempt``.

        A message older than the row (a retry was already queued, or the job finished) is
        skipped; a message for the attempt the row says is Running is a redelivery after its
        worker died: it runs again as the next attempt, unless none are left.

        ``known``: the row as the enqueuer wrote it (carried by the message). The first try
        decides on it without reading the row: the save is versioned, so it only succeeds if
        the row is still exactly that; otherwise the row is read and the decision made again.
        Such claims share transactions with other claims and finishes (``_update_together``).
        """
        if known is not None and known.status == "Queued" and known.attempt < attempt:
            if attempt <= known.max_attempts:
                version = known.version
                known.status = "Running"
                known.attempt = attempt
                known.started_at = utcnow()
                known.not_before = None
                if await self._updates.submit((known, version)):
                    return Claim("run", attempt=attempt, log=known)
            known = None
        for _ in range(5):
            async with self._uow(write_behind=True) as uow:
                log = known if known is not None else await self._repo.get(uow.session, job_id)
                known = None
                if log is None:
                    return Claim("skip", why="unknown job")
                if log.status in FINISHED_STATUSES:
                    return Claim("skip", why=f"job is {log.status}")
                if log.status == "Queued" and attempt > log.attempt:
                    run_as = attempt
                elif log.status == "Running" and attempt <= log.attempt:
                    run_as = log.attempt + 1  # the worker of the running attempt was lost
                else:
                    return Claim("skip", why="stale message")
                version = log.version
                if run_as > log.max_attempts:
                    log.status = "Failed"
                    log.completed_at = utcnow()
                    log.error = log.error or f"worker lost during attempt {log.attempt}"
                else:
                    log.status = "Running"
                    log.attempt = run_as
                    log.started_at = utcnow()
                    log.not_before = None
                try:
                    await self._repo.save(uow.session, log, version, user=SYSTEM)
                    await uow.commit()
                except VersionConflictError:
                    continue
                if log.status == "Failed":
                    return Claim("give_up", attempt=log.attempt, log=log, why=log.error or "")
                return Claim("run", attempt=run_as, log=log)
        return Claim("skip", why="contended")

    async def finish(
        self,
        job_id: UUID,
        *,
        attempt: int,
        status: Literal["Success", "Failed", "Queued"],
        error: str | None = None,
        result: dict[str, Any] | None = None,
        not_before: datetime | None = None,
        known: JobLog | None = None,
    ) -> JobLog | None:
        """Record the end of ``attempt`` (Queued again when a retry follows); the row as saved,
        None when the row moved on meanwhile (cancelled, or claimed by a redelivery).

        ``known``: the row as the claim saved it; tried first without a read (the versioned
        save fails if anything changed it since, and the row is then read). Such finishes of
        jobs ending at about the same time share one transaction (``_update_together``)."""
        if known is not None:
            version = known.version
            _End(known, attempt, status, error, result, not_before).apply()
            if await self._updates.submit((known, version)):
                return known
            known = None
        for _ in range(5):
            async with self._uow(write_behind=True) as uow:
                log = known if known is not None else await self._repo.get(uow.session, job_id)
                known = None
                if log is None or log.status != "Running" or log.attempt != attempt:
                    return None
                version = log.version
                _End(log, attempt, status, error, result, not_before).apply()
                try:
                    await self._repo.save(uow.session, log, version, user=SYSTEM)
                    await uow.commit()
                except VersionConflictError:
                    continue
                return log
        return None

    async def _update_together(self, updates: list[tuple[JobLog, int]]) -> list[bool]:
        """Save several changed rows, each at its expected version, in one transaction (one
        connection checkout, BEGIN and COMMIT for all: on PostgreSQL those round trips cost
        more than the UPDATEs); each still goes through the repository (hooks, outbox event).
        Which were saved: one whose row moved on, or all if the transaction fails, is left to
        the caller's own read-and-decide loop."""
        saved = [False] * len(updates)
        try:
            async with self._uow() as uow:
                for index, (log, version) in enumerate(updates):
                    try:
                        await self._repo.save(uow.session, log, version, user=SYSTEM)
                    except VersionConflictError:
                        continue  # an UPDATE of no row: the transaction goes on
                    saved[index] = True
                await uow.commit()
        except Exception:
            logger.warning("jobs: a shared JobLog transaction failed", exc_info=True)
            return [False] * len(updates)
        return saved

    async def cancel(self, job_id: UUID) -> JobLog | None:
        """Cancel a Queued job; the row as it is now (None when unknown). Running or finished
        jobs are left alone: the caller sees their status."""
        for _ in range(5):
            async with self._uow(write_behind=True) as uow:
                log = await self._repo.get(uow.session, job_id)
                if log is None or log.status != "Queued":
                    return log
                version = log.version
                log.status = "Cancelled"
                log.completed_at = utcnow()
                try:
                    await self._repo.save(uow.session, log, version, user=SYSTEM)
                    await uow.commit()
                except VersionConflictError:
                    continue
                return log
        return await self.get(job_id)
