"""Bootstrap step ``init_jobs`` (order 80): the ``@job`` registry and the job queue.

``state["job_registry"]`` holds the jobs of the installed apps (framework packages register
their own in later steps); ``state["jobs"]`` the queue: taskiq over NATS JetStream when
``nats_url`` is set, else the in-process queue. Every process can enqueue; jobs are *run*
(and schedules ticked) only where ``run_jobs_here`` is called: by ``m worker``, and by the
web app in the in-process setup.
"""

from __future__ import annotations

import logging
from typing import Any

from framework_m_core.container import bind_instance
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.jobs import JobRegistry
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.jobs.base import BaseJobQueue
from framework_m_standard.adapters.jobs.log_store import JobLogStore
from framework_m_standard.adapters.jobs.memory import InMemoryJobQueue
from framework_m_standard.adapters.jobs.nats_queue import TaskiqNatsJobQueue
from framework_m_standard.adapters.jobs.processing import run_jobs_here
from framework_m_standard.adapters.jobs.runner import JobRunner

logger = logging.getLogger("framework_m.bootstrap")

__all__ = ["InitJobs", "run_jobs_here"]


class InitJobs:
    """Job registry, runner and queue (connected, not yet consuming)."""

    name = "init_jobs"
    order = 80
    priority = 0

    async def run(self, context: BootstrapContext) -> None:
        settings = context.settings
        database: DatabaseRuntime = context.state["database"]
        registry = JobRegistry()
        registry.discover(context.state["registry"].packages())
        logs = JobLogStore(repositories=database.repositories, unit_of_work=database.unit_of_work)
        services: dict[str, Any] = {
            "event_bus": context.state.get("event_bus"),
            "unit_of_work": database.unit_of_work,
            "repositories": database.repositories,
            "documents": context.state.get("documents"),
        }
        runner = JobRunner(registry=registry, settings=settings, logs=logs, services=services)
        queue: BaseJobQueue
        if settings.nats_url:
            nats_queue = TaskiqNatsJobQueue(
                registry=registry, settings=settings, logs=logs, runner=runner
            )
            await nats_queue.connect()
            queue = nats_queue
        else:
            queue = InMemoryJobQueue(registry=registry, settings=settings, logs=logs, runner=runner)
        context.state["job_registry"] = registry
        context.state["jobs"] = queue
        bind_instance(context.container, "job_queue", queue)

    async def shutdown(self, context: BootstrapContext) -> None:
        queue: BaseJobQueue | None = context.state.pop("jobs", None)
        if queue is None:
            return
        if queue.scheduler is not None:
            await queue.scheduler.stop()
        await queue.stop()
