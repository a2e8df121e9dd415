"""``m job:list``, ``m job:run NAME``, ``m job:status ID``: the registered jobs and their runs.

``m job:run`` enqueues as the system. Without NATS the job runs inside the command (which
waits for it); with NATS a worker runs it and ``--wait`` waits for its end.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Annotated, Any

import cyclopts

from framework_m_standard.cli.output import print_lines
from framework_m_standard.cli.site_runner import CommandError, SiteSession, run_on_site

FINISHED = ("Success", "Failed", "Cancelled")


def register(app: cyclopts.App) -> None:
    app.command(job_list, name="job:list")
    app.command(job_run, name="job:run")
    app.command(job_status, name="job:status")


def job_list() -> None:
    """List the registered jobs with their timeout, retries and schedule."""

    async def body(site: SiteSession) -> list[str]:
        from framework_m_standard.adapters.jobs.runner import policy_for, timeout_for

        registry = site.context.state["job_registry"]
        lines = []
        for name in registry.names():
            registered = registry.get(name)
            policy = policy_for(registered, site.settings.jobs)
            cron = f"  cron {registered.options.cron}" if registered.options.cron else ""
            timeout = timeout_for(registered, site.settings.jobs)
            lines.append(f"{name}  timeout {timeout:g}s  retries {policy.retries}{cron}")
        return lines or ["no jobs registered"]

    print_lines(run_on_site(body))


def job_run(
    name: str,
    /,
    *,
    kwargs: str = "{}",
    wait: Annotated[bool, cyclopts.Parameter(negative=())] = False,
    timeout: float = 600.0,
) -> None:
    """Enqueue a run of a registered job (as the system) and print its id.

    Parameters
    ----------
    name
        The registered job name (``m job:list``).
    kwargs
        The job's keyword arguments as a JSON object.
    wait
        Wait for the job to end and print its status (always so without NATS).
    timeout
        Seconds to wait with --wait.
    """
    try:
        arguments = json.loads(kwargs)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"m: error: --kwargs is not valid JSON: {exc.msg}") from None
    if not isinstance(arguments, dict):
        raise SystemExit("m: error: --kwargs must be a JSON object")

    async def body(site: SiteSession) -> list[str]:
        queue = site.context.state["jobs"]
        if name not in queue.registry:
            raise CommandError(f"no job named {name!r} (see m job:list)")
        job_id: str = await queue.enqueue_job(name, arguments)
        lines = [f"job {job_id} queued"]
        if wait or not site.settings.nats_url:
            info = await _wait_for(queue, job_id, timeout)
            lines.extend(_describe(info))
            if info.get("status") != "Success":
                print_lines(lines)
                raise SystemExit(1)
        return lines

    print_lines(run_on_site(body))


def job_status(job_id: str, /) -> None:
    """Show one job run: status, attempts, times, result or error."""

    async def body(site: SiteSession) -> list[str]:
        from framework_m_standard.adapters.jobs.base import parse_job_id

        uuid = parse_job_id(job_id)
        log = None if uuid is None else await site.context.state["jobs"].logs.get(uuid)
        if log is None:
            raise CommandError(f"no job with id {job_id}")
        return _describe(log.model_dump(mode="json"))

    print_lines(run_on_site(body))


async def _wait_for(queue: Any, job_id: str, limit: float) -> dict[str, Any]:
    from uuid import UUID

    deadline = time.monotonic() + limit
    while True:
        log = await queue.logs.get(UUID(job_id))
        if log is not None and log.status in FINISHED:
            data: dict[str, Any] = log.model_dump(mode="json")
            return data
        if time.monotonic() > deadline:
            raise CommandError(f"job {job_id} did not finish within {limit:g} s")
        await asyncio.sleep(0.05)


def _describe(log: dict[str, Any]) -> list[str]:
    lines = [
        f"id: {log['job_id']}",
        f"job: {log['job_name']}",
        f"status: {log['status']}",
        f"attempt: {log['attempt']} of {log['max_attempts']}",
        f"enqueued: {log['enqueued_at']}",
        f"started: {log.get('started_at') or '-'}",
        f"completed: {log.get('completed_at') or '-'}",
    ]
    if log.get("error"):
        lines.append(f"error: {log['error']}")
    if log.get("result") is not None:
        lines.append(f"result: {json.dumps(log['result'])}")
    return lines
