"""The benchmark's jobs: one that does nothing, one that saves one small document.

``retries=0``: a failure is reported by the benchmark (a Failed JobLog), not hidden by retries.
"""

from __future__ import annotations

from framework_m import JobContext, job

from .doctypes import BenchJobNote


@job(name="bench.noop", retries=0)
async def noop(ctx: JobContext) -> None:
    """Nothing: what is measured is the queue, the JobLog and the worker."""


@job(name="bench.write", retries=0)
async def write(ctx: JobContext, *, n: int) -> None:
    """Saves one ``BenchJobNote`` in its own transaction, as the system."""
    repo = ctx.repositories.get(BenchJobNote)
    async with ctx.unit_of_work() as uow:
        await repo.save(uow.session, BenchJobNote(title=f"job {n}", n=n), user="system")
        await uow.commit()
