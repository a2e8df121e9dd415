"""Jobs in one process (no NATS): context, retries, timeout, JobLog, and the scheduler's
once-per-tick claim with an injected clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from framework_m_core.bootstrap import Bootstrap
from framework_m_core.doctypes.job_log import JobLog
from framework_m_core.doctypes.scheduled_job import ScheduledJob
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.interfaces.repository import FilterSpec
from framework_m_core.jobs import enqueue_as
from framework_m_core.settings import load_settings
from framework_m_standard.adapters.jobs.base import BaseJobQueue
from framework_m_standard.adapters.jobs.scheduler import Scheduler


@pytest.fixture
async def site(database_url: str, tmp_path: Path) -> AsyncIterator[BootstrapContext]:
    settings = load_settings(
        env={},
        config_file=None,
        overrides={
            "database_url": database_url,
            "apps": ["fm_jobs_testapp"],
            "environment": "test",
            "project_root": str(tmp_path),
            "jobs": {"backoff": 1.2, "concurrency": 4},
        },
    )
    async with Bootstrap(settings) as context:
        yield context


async def finished(queue: BaseJobQueue, job_id: str, limit: float = 15) -> JobLog:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        log = await queue.logs.get(UUID(job_id))
        if log is not None and log.status in ("Success", "Failed", "Cancelled"):
            return log
        await asyncio.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish in {limit} s")


async def test_job_runs_as_the_enqueuing_user_and_logs_its_result(site: BootstrapContext) -> None:
    queue: BaseJobQueue = site.state["jobs"]
    alice = UserContext(id="u-alice", email="alice@example.com", roles=["Employee"])
    with enqueue_as(alice):
        job_id = await queue.enqueue("test.echo", value={"n": 1})
    log = await finished(queue, job_id)
    assert log.status == "Success"
    assert log.user == "u-alice"
    assert log.attempt == 1
    assert log.kwargs == {"value": {"n": 1}}
    assert log.result == {
        "value": {"n": 1},
        "user": "alice@example.com",
        "roles": ["Employee"],
        "attempt": 1,
        "max_attempts": 4,
        "has_documents": True,
    }
    assert log.started_at is not None
    assert log.completed_at is not None
    assert log.enqueued_at <= log.started_at <= log.completed_at


async def test_a_failing_job_is_retried_with_backoff_then_fails(site: BootstrapContext) -> None:
    queue: BaseJobQueue = site.state["jobs"]
    job_id = await queue.enqueue("test.always_fails")
    log = await finished(queue, job_id)
    assert log.status == "Failed"
    assert log.attempt == 3
    assert log.max_attempts == 3
    assert log.error == "RuntimeError: boom on attempt 3"
    flaky = await finished(queue, await queue.enqueue("test.flaky", succeed_on=3))
    assert flaky.status == "Success"
    assert flaky.result == {"attempt": 3}
    assert flaky.error is None


async def test_a_job_over_its_timeout_fails_with_a_timeout_error(site: BootstrapContext) -> None:
    queue: BaseJobQueue = site.state["jobs"]
    log = await finished(queue, await queue.enqueue("test.too_slow"))
    assert log.status == "Failed"
    assert log.attempt == 1
    assert log.error == "TimeoutError: job timed out after 0.3 s"


async def test_bad_enqueues_are_refused(site: BootstrapContext) -> None:
    from framework_m_core.exceptions import EntityNotFoundError, ValidationError

    queue: BaseJobQueue = site.state["jobs"]
    with pytest.raises(EntityNotFoundError):
        await queue.enqueue("test.nope")
    with pytest.raises(ValidationError, match="JSON"):
        await queue.enqueue("test.echo", value=object())
    assert await queue.get_status("not-a-uuid") is None
    assert await queue.cancel("not-a-uuid") is False


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


async def test_two_schedulers_run_a_per_minute_job_once_per_minute(
    site: BootstrapContext,
) -> None:
    """Two schedulers (as in two workers) tick the same schedules with a clock that moves in
    7-second steps over five minutes: each minute's tick is claimed exactly once, and the
    ScheduledJob document records its last and next run."""
    queue: BaseJobQueue = site.state["jobs"]
    database = site.state["database"]
    repo = database.repositories.get(ScheduledJob)
    async with database.unit_of_work() as uow:
        doc = ScheduledJob(
            name="echo-every-minute", function="test.echo", cron_expression="* * * * *"
        )
        await repo.save(uow.session, doc)
        await uow.commit()
    start = datetime(2030, 1, 1, 12, 0, 30, tzinfo=UTC).timestamp()
    clock = FakeClock(start)
    schedulers = [
        Scheduler(
            queue=queue,
            registry=queue.registry,
            repositories=database.repositories,
            unit_of_work=database.unit_of_work,
            clock=clock,
        )
        for _ in range(2)
    ]
    for scheduler in schedulers:
        await scheduler.load()
    key = next(k for k in schedulers[0].schedule_keys() if k.startswith("doc:"))
    claimed: list[list[str]] = [[], []]
    while clock.now < start + 300:
        clock.now += 7
        for index, scheduler in enumerate(schedulers):
            claimed[index].extend(await scheduler.tick())
    logs_repo = database.repositories.get(JobLog)
    async with database.unit_of_work() as uow:
        page = await logs_repo.list(
            uow.session, [FilterSpec(field="schedule", value=key)], limit=100
        )
    # Ticks at 12:01 ... 12:05: five, each claimed by one scheduler only.
    assert page.total == 5
    ids = {log.job_id for log in page.items}
    mine = [[job_id for job_id in claims if job_id in ids] for claims in claimed]
    assert len(mine[0]) + len(mine[1]) == 5
    assert set(mine[0]) | set(mine[1]) == ids
    async with database.unit_of_work() as uow:
        stored = await repo.get(uow.session, doc.id)
    assert stored is not None
    assert stored.last_run == datetime(2030, 1, 1, 12, 5, tzinfo=UTC)
    assert stored.next_run == datetime(2030, 1, 1, 12, 6, tzinfo=UTC)


async def test_seconds_cron_in_process(site: BootstrapContext) -> None:
    """The six-field schedule of ``test.tick`` with the real clock: a tick every two seconds."""
    queue: BaseJobQueue = site.state["jobs"]
    database = site.state["database"]
    scheduler = Scheduler(
        queue=queue,
        registry=queue.registry,
        repositories=database.repositories,
        unit_of_work=database.unit_of_work,
    )
    await scheduler.load()
    assert "code:test.tick" in scheduler.schedule_keys()
    ids: list[str] = []
    deadline = time.monotonic() + 5
    while len(ids) < 2 and time.monotonic() < deadline:
        ids.extend(await scheduler.tick())
        await asyncio.sleep(0.05)
    assert len(ids) == 2
    logs = [await finished(queue, job_id) for job_id in ids]
    assert [log.schedule for log in logs] == ["code:test.tick"] * 2
    gap = abs((logs[1].enqueued_at - logs[0].enqueued_at).total_seconds())
    assert 1.5 < gap < 2.5, gap


def test_scheduled_job_rejects_a_bad_cron() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="cron"):
        ScheduledJob(name="x", function="test.echo", cron_expression="61 * * * *")
    with pytest.raises(ValidationError, match="5 fields"):
        ScheduledJob(name="x", function="test.echo", cron_expression="* *")
    assert (
        ScheduledJob(name="x", function="f", cron_expression=" */5  * * * * * ").cron_expression
        == "*/5 * * * * *"
    )
