"""``BaseJobQueue``: what both queues share: enqueue (JobLog first, then the message), cancel,
status, retry and schedules; a subclass only moves messages (``_dispatch``) and runs them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any
from uuid import UUID

from framework_m_core.doctypes.job_log import JobLog
from framework_m_core.domain.ids import uuid7
from framework_m_core.exceptions import ConflictError, EntityNotFoundError, ValidationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.job_queue import JobInfo, JobStatus
from framework_m_core.jobs import JobRegistry, enqueuing_user
from framework_m_core.settings import Settings
from framework_m_standard.adapters.jobs.log_store import JobLogStore
from framework_m_standard.adapters.jobs.runner import (
    JobMessage,
    JobRunner,
    json_kwargs,
    log_snapshot,
    policy_for,
)

_STATUS = {
    "Queued": JobStatus.PENDING,
    "Running": JobStatus.RUNNING,
    "Success": JobStatus.SUCCESS,
    "Failed": JobStatus.FAILED,
    "Cancelled": JobStatus.CANCELLED,
}


class JobStateError(ConflictError):
    """The job is not in a state that allows this (cancel a running job, retry a queued one)."""

    code = "job_state"


def parse_job_id(job_id: str) -> UUID | None:
    try:
        return UUID(job_id)
    except (ValueError, TypeError):
        return None


def job_info(log: JobLog) -> JobInfo:
    return JobInfo(
        id=log.job_id,
        name=log.job_name,
        status=_STATUS[log.status],
        enqueued_at=log.enqueued_at,
        started_at=log.started_at,
        finished_at=log.completed_at,
        result=log.result,
        error=log.error,
    )


class BaseJobQueue(ABC):
    """A ``JobQueueProtocol`` over the JobLog; subclasses deliver ``JobMessage``s to a runner."""

    def __init__(
        self, *, registry: JobRegistry, settings: Settings, logs: JobLogStore, runner: JobRunner
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.logs = logs
        self.runner = runner
        self.scheduler: Any = None
        """The ``Scheduler`` of this process, once started (``schedule`` adds to it)."""

    async def enqueue(self, job_name: str, **kwargs: Any) -> str:
        """Queue a run as the user of ``enqueue_as`` (a system run outside one); the job id."""
        return await self.enqueue_job(job_name, kwargs, user=enqueuing_user())

    async def enqueue_job(
        self,
        job_name: str,
        kwargs: dict[str, Any],
        *,
        user: UserContext | None = None,
        job_id: UUID | None = None,
        schedule: str | None = None,
    ) -> str:
        """Write the Queued JobLog, then send the message. A given ``job_id`` that exists raises
        ``ConflictError``: the scheduler claims a tick that way."""
        registered = self.registry.get(job_name)
        if registered is None:
            raise EntityNotFoundError(f"No job named {job_name!r}", doctype="Job", id=job_name)
        try:
            arguments = json_kwargs(kwargs)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        policy = policy_for(registered, self.settings.jobs)
        log = await self.logs.create(
            job_id=job_id or uuid7(),
            job_name=job_name,
            kwargs=arguments,
            max_attempts=policy.max_attempts,
            user=user.id if user is not None else None,
            schedule=schedule,
        )
        message = JobMessage(
            job_id=log.job_id,
            name=job_name,
            arguments=arguments,
            enqueued_at=log.enqueued_at,
            user=user.model_dump(mode="json") if user is not None else None,
            log=log_snapshot(log),
        )
        await self._dispatch(message)
        return log.job_id

    async def schedule(self, job_name: str, cron: str, **kwargs: Any) -> str:
        """Run a job on a cron schedule in this process's scheduler; the schedule id."""
        if self.scheduler is None:
            raise ValidationError("The scheduler does not run in this process")
        key: str = self.scheduler.add(job_name, cron, kwargs)
        return key

    async def cancel(self, job_id: str) -> bool:
        """Cancel a Queued job (or a schedule added by ``schedule``)."""
        if self.scheduler is not None and self.scheduler.remove(job_id):
            return True
        uuid = parse_job_id(job_id)
        if uuid is None:
            return False
        before = await self.logs.get(uuid)
        if before is None or before.status != "Queued":
            return False
        log = await self.logs.cancel(uuid)
        return log is not None and log.status == "Cancelled"

    async def get_status(self, job_id: str) -> JobInfo | None:
        uuid = parse_job_id(job_id)
        log = None if uuid is None else await self.logs.get(uuid)
        return None if log is None else job_info(log)

    async def retry(self, job_id: str) -> str:
        """Enqueue a Failed or Cancelled job again with its arguments, as the current
        ``enqueue_as`` user; the new job id."""
        uuid = parse_job_id(job_id)
        log = None if uuid is None else await self.logs.get(uuid)
        if log is None:
            raise EntityNotFoundError(f"Job {job_id} not found", doctype="JobLog", id=job_id)
        if log.status not in ("Failed", "Cancelled"):
            raise JobStateError(
                f"Job {job_id} is {log.status}; only Failed or Cancelled jobs can be retried",
                status=log.status,
            )
        return await self.enqueue_job(log.job_name, log.kwargs, user=enqueuing_user())

    @abstractmethod
    async def start(self) -> None:
        """Start running jobs in this process."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop running jobs and release connections."""

    @abstractmethod
    async def _dispatch(self, message: JobMessage) -> None:
        """Hand a message to whoever runs jobs (now, or at its ``not_before``)."""
