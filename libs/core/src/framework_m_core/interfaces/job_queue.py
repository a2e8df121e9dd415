"""Job queue port: run registered background jobs now, later, or on a cron schedule.

Jobs are referred to by their registered name; keyword arguments must be JSON-serialisable
so the job can run in another process (``m worker``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobInfo(BaseModel):
    """What the queue knows about one job run."""

    id: str
    name: str
    status: JobStatus
    enqueued_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: Any = None
    error: str | None = None


class JobQueueProtocol(Protocol):
    async def enqueue(self, job_name: str, **kwargs: Any) -> str:
        """Queue a run of the named job with these arguments; the job id."""
        ...

    async def schedule(self, job_name: str, cron: str, **kwargs: Any) -> str:
        """Run the named job on a cron schedule (``"0 2 * * *"``); the schedule id."""
        ...

    async def cancel(self, job_id: str) -> bool:
        """Cancel a pending job or a schedule; False when it already ran or is unknown."""
        ...

    async def get_status(self, job_id: str) -> JobInfo | None:
        """The state of a job, or None when the queue does not know the id."""
        ...

    async def retry(self, job_id: str) -> str:
        """Enqueue a failed or cancelled job again with the same arguments; the new job id."""
        ...
