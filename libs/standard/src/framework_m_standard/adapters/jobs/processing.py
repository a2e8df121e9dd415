"""``run_jobs_here``: make this process run jobs (and, unless disabled, the scheduler)."""

from __future__ import annotations

from typing import Any

from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.jobs.base import BaseJobQueue
from framework_m_standard.adapters.jobs.scheduler import Scheduler


async def run_jobs_here(state: dict[str, Any], *, scheduler: bool | None = None) -> BaseJobQueue:
    """Run jobs in this process (consume the queue) and, unless disabled, the scheduler."""
    queue: BaseJobQueue = state["jobs"]
    await queue.start()
    settings = queue.settings
    if (settings.jobs.scheduler if scheduler is None else scheduler) and queue.scheduler is None:
        database: DatabaseRuntime = state["database"]
        queue.scheduler = Scheduler(
            queue=queue,
            registry=queue.registry,
            repositories=database.repositories,
            unit_of_work=database.unit_of_work,
            refresh=settings.jobs.schedule_refresh,
        )
        await queue.scheduler.load()
        queue.scheduler.start()
    return queue
