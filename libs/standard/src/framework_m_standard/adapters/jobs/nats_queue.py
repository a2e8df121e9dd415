"""``TaskiqNatsJobQueue``: jobs as taskiq messages on a NATS JetStream work-queue stream.

Every process connects the broker (to enqueue); ``m worker`` processes also consume.

Delivery guarantees, all from JetStream:

- A message is acked only after its attempt finished (taskiq ``when_executed``), and a
  running attempt sends a heartbeat (``in_progress``) every third of ``ack_wait``. A worker
  killed mid-job stops both, so after ``ack_wait`` JetStream hands the message to another
  worker; the JobLog sees a redelivery of a Running attempt and runs it as the next attempt.
- A retry is a new message carrying ``not_before``; a worker that fetches it early naks it
  with the remaining delay, so the backoff survives every process. The retry is published
  before the failed attempt's message is acked: a crash in between leaves a duplicate that
  the JobLog recognises as stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
from taskiq import AckableMessage
from taskiq.acks import AcknowledgeType
from taskiq.receiver import Receiver
from taskiq_nats import PullBasedJetStreamBroker

from framework_m_standard.adapters.jobs.base import BaseJobQueue
from framework_m_standard.adapters.jobs.runner import JobMessage

logger = logging.getLogger("framework_m.jobs")

TASK_NAME = "framework_m.run_job"


class _JobBroker(PullBasedJetStreamBroker):
    """Pull consumer that defers messages not yet due and keeps running ones alive."""

    def __init__(self, *args: Any, ack_wait: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ack_wait = ack_wait

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        while True:
            try:
                messages: list[Msg] = await self.consumer.fetch(batch=1, timeout=1.0)
            except NatsTimeoutError:
                continue
            for msg in messages:
                delay = self._delay_of(msg)
                if delay > 0:
                    await msg.nak(delay=delay)
                    continue
                yield AckableMessage(data=msg.data, ack=self._acker(msg))

    def _delay_of(self, msg: Msg) -> float:
        try:
            taskiq_message = self.formatter.loads(msg.data)
            body = JobMessage.model_validate(taskiq_message.args[0])
        except Exception:
            return 0.0  # the receiver logs and acks what it cannot parse
        return body.delay(time.time())

    def _acker(self, msg: Msg) -> Callable[[], Awaitable[None]]:
        beat = asyncio.create_task(self._heartbeat(msg))

        async def ack() -> None:
            beat.cancel()
            await msg.ack()

        return ack

    async def _heartbeat(self, msg: Msg) -> None:
        while True:
            await asyncio.sleep(self.ack_wait / 3)
            with contextlib.suppress(Exception):
                await msg.in_progress()


class TaskiqNatsJobQueue(BaseJobQueue):
    """Enqueue to NATS JetStream; ``start`` consumes with ``concurrency`` jobs at a time."""

    _broker: _JobBroker | None = None
    _consumer: asyncio.Task[None] | None = None
    _finish: asyncio.Event | None = None

    async def connect(self) -> None:
        """Connect the broker and create the stream and the durable consumer if missing."""
        config = self.settings.jobs
        assert self.settings.nats_url is not None
        broker = _JobBroker(
            self.settings.nats_url,
            subject=config.subject,
            stream_name=config.stream,
            durable=config.consumer,
            stream_config=StreamConfig(
                name=config.stream,
                subjects=[config.subject],
                retention=RetentionPolicy.WORK_QUEUE,
            ),
            consumer_config=ConsumerConfig(
                durable_name=config.consumer,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=config.ack_wait,
                max_deliver=-1,
                max_ack_pending=-1,
                filter_subject=config.subject,
            ),
            ack_wait=config.ack_wait,
        )

        async def run_job(body: dict[str, Any]) -> None:
            await self._run(body)

        broker.register_task(run_job, task_name=TASK_NAME)
        await broker.startup()
        self._broker = broker

    async def _run(self, body: dict[str, Any]) -> None:
        message = JobMessage.model_validate(body)
        outcome = await self.runner.run(message)
        if outcome.retry is not None:
            await self._dispatch(outcome.retry)

    async def _dispatch(self, message: JobMessage) -> None:
        if self._broker is None:
            raise RuntimeError("the job queue is not connected")
        task = self._broker.find_task(TASK_NAME)
        assert task is not None
        await task.kiq(message.model_dump(mode="json"))

    async def start(self) -> None:
        """Consume jobs in this process (``m worker``)."""
        if self._broker is None:
            await self.connect()
        if self._consumer is not None:
            return
        assert self._broker is not None
        receiver = Receiver(
            self._broker,
            max_async_tasks=self.settings.jobs.concurrency,
            run_startup=False,
            ack_type=AcknowledgeType.WHEN_EXECUTED,
            propagate_exceptions=False,
        )
        self._finish = asyncio.Event()
        self._consumer = asyncio.create_task(receiver.listen(self._finish))

    async def stop(self) -> None:
        if self._consumer is not None:
            assert self._finish is not None
            self._finish.set()
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._consumer
            self._consumer = None
        if self._broker is not None:
            with contextlib.suppress(Exception):
                await self._broker.shutdown()
            self._broker = None

    @property
    def consuming(self) -> bool:
        return self._consumer is not None and not self._consumer.done()
