"""``InMemoryJobQueue``: jobs run in this process on asyncio tasks (development, no NATS).

Nothing survives the process: a queued job of a stopped process stays Queued in its JobLog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from framework_m_standard.adapters.jobs.base import BaseJobQueue
from framework_m_standard.adapters.jobs.runner import JobMessage

logger = logging.getLogger("framework_m.jobs")


class InMemoryJobQueue(BaseJobQueue):
    _queue: asyncio.Queue[JobMessage] | None = None
    _workers: list[asyncio.Task[None]]
    _timers: set[asyncio.TimerHandle]

    async def start(self) -> None:
        if self._queue is not None:
            return
        self._queue = asyncio.Queue()
        self._timers = set()
        self._workers = [
            asyncio.create_task(self._work(), name=f"framework_m-job-worker-{n}")
            for n in range(self.settings.jobs.concurrency)
        ]

    async def stop(self) -> None:
        if self._queue is None:
            return
        for timer in self._timers:
            timer.cancel()
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._queue = None

    async def _dispatch(self, message: JobMessage) -> None:
        if self._queue is None:
            await self.start()
        assert self._queue is not None
        queue = self._queue
        delay = message.delay(time.time())
        if delay <= 0:
            queue.put_nowait(message)
            return
        loop = asyncio.get_running_loop()

        def due() -> None:
            self._timers.discard(timer)
            queue.put_nowait(message)

        timer = loop.call_later(delay, due)
        self._timers.add(timer)

    async def _work(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            message = await queue.get()
            try:
                outcome = await self.runner.run(message)
                if outcome.retry is not None:
                    await self._dispatch(outcome.retry)
            except Exception:
                # The JobLog could not be written (database down): the run is lost, the
                # worker is not.
                logger.exception("job %s (%s) could not be run", message.name, message.job_id)
            finally:
                queue.task_done()

    async def join(self) -> None:
        """Wait until every queued message (not delayed retries) has been handled."""
        if self._queue is not None:
            await self._queue.join()
