"""``m worker``: run background jobs (and the cron scheduler) from NATS JetStream.

Start as many as the queue needs: each job goes to one worker; a worker that dies mid-job
has its job handed to another after ``[jobs] ack_wait`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Annotated

import cyclopts

from framework_m_core.bootstrap import freeze_startup_heap
from framework_m_standard.cli.site_runner import CommandError, SiteSession, run_on_site


def register(app: cyclopts.App) -> None:
    app.command(worker, name="worker")


def worker(
    *,
    concurrency: int | None = None,
    verbose: Annotated[bool, cyclopts.Parameter(["--verbose", "-v"], negative=())] = False,
    scheduler: Annotated[bool, cyclopts.Parameter(negative="--no-scheduler")] = True,
) -> None:
    """Run background jobs from the NATS JetStream queue until stopped (Ctrl-C or SIGTERM).

    Parameters
    ----------
    concurrency
        Jobs run at the same time in this process (default: [jobs] concurrency).
    verbose
        Log every job's start and end.
    scheduler
        Also run the cron scheduler (each tick runs once, whichever worker claims it).
    """
    if concurrency is not None and concurrency < 1:
        raise SystemExit(f"m: error: --concurrency must be at least 1, not {concurrency}")
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )

    async def body(site: SiteSession) -> None:
        from framework_m_standard.bootstrap.jobs import run_jobs_here

        settings = site.settings
        if not settings.nats_url:
            raise CommandError(
                "m worker needs NATS_URL (without it, m start runs jobs in its own process)"
            )
        if concurrency is not None:
            settings.jobs.concurrency = concurrency
        queue = await run_jobs_here(site.context.state, scheduler=None if scheduler else False)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        freeze_startup_heap()
        names = ", ".join(queue.registry.names()) or "none"
        print(
            f"Framework M worker: concurrency {settings.jobs.concurrency}, "
            f"stream {settings.jobs.stream}, jobs: {names}",
            flush=True,
        )
        await stop.wait()
        print("Framework M worker: stopping", flush=True)

    run_on_site(body)
