"""Jobs the tests enqueue; files under ``FM_JOBS_TEST_DIR`` tell the tests what happened."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from framework_m import JobContext, job


def _mark(name: str, line: str) -> None:
    directory = os.environ.get("FM_JOBS_TEST_DIR")
    if directory:
        with (Path(directory) / name).open("a") as handle:
            handle.write(line + "\n")


@job(name="test.echo")
async def echo(ctx: JobContext, *, value: Any = None) -> dict[str, Any]:
    """Returns what it got and who it runs as."""
    return {
        "value": value,
        "user": ctx.user.email if ctx.user else None,
        "roles": ctx.user.roles if ctx.user else [],
        "attempt": ctx.attempt,
        "max_attempts": ctx.max_attempts,
        "has_documents": ctx.documents is not None,
    }


@job(name="test.slow", timeout=60)
async def slow(ctx: JobContext, *, seconds: float) -> dict[str, Any]:
    """Says which process runs it (file ``<job_id>.pid``), then sleeps."""
    _mark(f"{ctx.job_id}.pid", f"{os.getpid()} {ctx.attempt}")
    await asyncio.sleep(seconds)
    return {"pid": os.getpid(), "attempt": ctx.attempt}


@job(name="test.always_fails", retries=2, backoff=0.2)
async def always_fails(ctx: JobContext) -> None:
    _mark(f"{ctx.job_id}.attempts", f"{ctx.attempt} {os.getpid()}")
    raise RuntimeError(f"boom on attempt {ctx.attempt}")


@job(name="test.flaky", retries=3, backoff=0.1)
async def flaky(ctx: JobContext, *, succeed_on: int) -> dict[str, int]:
    if ctx.attempt < succeed_on:
        raise ValueError(f"not yet ({ctx.attempt})")
    return {"attempt": ctx.attempt}


@job(name="test.too_slow", timeout=0.3, retries=0)
async def too_slow(ctx: JobContext) -> None:
    await asyncio.sleep(30)


@job(name="test.tick", cron="*/2 * * * * *", retries=0)
async def tick(ctx: JobContext) -> None:
    """Every 2 s: one line per run, so a tick that ran twice shows."""
    _mark("ticks", f"{ctx.job_id} {os.getpid()}")


@job(name="test.retry_later", retries=1, backoff=60)
async def retry_later(ctx: JobContext) -> None:
    """Fails once and waits a minute to retry: stays Queued long enough to cancel."""
    raise RuntimeError("try again later")
