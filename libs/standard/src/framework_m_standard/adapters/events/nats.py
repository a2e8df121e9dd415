"""NATS JetStream event bus: the ``EventBusProtocol`` adapter when ``NATS_URL`` is set.

One stream (``settings.events.stream``) holds every event on subjects ``<prefix>.>``; topic
``doc.created.Invoice`` travels on ``<prefix>.doc.created.Invoice``. An event is JSON (the
``Event`` model) with the header ``Nats-Msg-Id: <event.id>``, so publishing the same event
again within the stream's duplicate window (a relay that died before it could record the
publish) stores it once.

- ``subscribe(topic, handler)`` (fan-out): an ephemeral ordered push consumer delivering only
  what is published from now on; every subscriber in every process sees every event.
- ``subscribe(topic, handler, durable="name")`` (work queue): a durable pull consumer named
  after ``name`` and the subject, shared by every subscriber using that name, in any process.
  An event is acknowledged after the handler returns; if the handler raises, it is nak'ed
  with a growing delay and delivered again, ``max_redeliveries`` times at most, then logged
  and terminated. A process that dies mid-handler gets its event redelivered after ``ack_wait``.
  A new durable starts with the events published after it is first created.

Reconnects are nats-py's (unlimited attempts); ``disconnect`` stops the pull loops and drains.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from framework_m_core.domain.ids import uuid7
from framework_m_core.interfaces.event_bus import Event, EventBusNotConnectedError, EventHandler
from framework_m_core.settings import Settings
from framework_m_standard.adapters.events.topics import split_topic

logger = logging.getLogger(__name__)

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(slots=True)
class _NatsSubscription:
    subscription: Any  # PushSubscription | PullSubscription
    task: asyncio.Task[None] | None = None
    handling: bool = False
    """A durable handler is running: stopping waits for it rather than cancel it midway."""
    stopping: bool = False

    async def stop(self, grace: float) -> None:
        task = self.task
        if task is None:
            return
        self.stopping = True
        if self.handling:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(task), timeout=grace)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class NatsEventBus:
    """``EventBusProtocol`` on NATS JetStream; events cross processes and survive restarts."""

    def __init__(
        self,
        *,
        url: str = "nats://127.0.0.1:4222",
        stream: str = "FRAMEWORK_M_EVENTS",
        subject_prefix: str = "fm.events",
        max_age: float = 7 * 24 * 3600,
        duplicate_window: float = 120,
        ack_wait: float = 30,
        max_redeliveries: int = 5,
        redelivery_delay: float = 1.0,
        fetch_timeout: float = 5.0,
    ) -> None:
        split_topic(subject_prefix, wildcards=False)
        self.url = url
        self.stream = stream
        self.subject_prefix = subject_prefix
        self._max_age = max_age
        self._duplicate_window = duplicate_window
        self._ack_wait = ack_wait
        self._max_redeliveries = max_redeliveries
        self._redelivery_delay = redelivery_delay
        self._fetch_timeout = fetch_timeout
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._subscriptions: dict[str, _NatsSubscription] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> NatsEventBus:
        """The bus ``settings.nats_url`` and ``settings.events`` describe."""
        events = settings.events
        return cls(
            url=settings.nats_url or "nats://127.0.0.1:4222",
            stream=events.stream,
            subject_prefix=events.subject_prefix,
            max_age=events.max_age,
            duplicate_window=events.duplicate_window,
            ack_wait=events.ack_wait,
            max_redeliveries=events.max_redeliveries,
            redelivery_delay=events.redelivery_delay,
        )

    # ------------------------------------------------------------------ lifecycle
    async def connect(self) -> None:
        if self._nc is not None:
            return
        nc = await nats.connect(
            servers=[self.url],
            name="framework-m-events",
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=5,
            error_cb=self._on_error,
            disconnected_cb=self._on_disconnected,
            reconnected_cb=self._on_reconnected,
        )
        try:
            js = nc.jetstream()
            await self._ensure_stream(js)
        except BaseException:
            await nc.close()
            raise
        self._nc, self._js = nc, js

    async def disconnect(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        subscriptions, self._subscriptions = self._subscriptions, {}
        await asyncio.gather(*(entry.stop(self._ack_wait) for entry in subscriptions.values()))
        if nc is None:
            return
        try:
            # Drain: in-flight callbacks finish, then the connection closes.
            await asyncio.wait_for(nc.drain(), timeout=5)
        except Exception:  # a drain that fails or hangs must not block shutdown
            logger.warning("NATS drain did not finish; closing", exc_info=True)
            await nc.close()

    def is_connected(self) -> bool:
        return self._nc is not None

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        config = StreamConfig(
            name=self.stream,
            subjects=[f"{self.subject_prefix}.>"],
            max_age=self._max_age,
            duplicate_window=self._duplicate_window,
        )
        try:
            info = await js.stream_info(self.stream)
        except NotFoundError:
            await js.add_stream(config)
            return
        if list(info.config.subjects or []) != config.subjects:
            await js.update_stream(config)

    # ------------------------------------------------------------------ publish
    def subject_of(self, topic: str) -> str:
        """The NATS subject of a topic (or pattern)."""
        return f"{self.subject_prefix}.{topic}"

    async def publish(self, topic: str, event: Event) -> None:
        js = self._require("publish", topic)
        split_topic(topic, wildcards=False)
        await js.publish(
            self.subject_of(topic),
            event.model_dump_json().encode(),
            stream=self.stream,
            headers={"Nats-Msg-Id": event.id},
        )

    # ------------------------------------------------------------------ subscribe
    async def subscribe(
        self, topic: str, handler: EventHandler, *, durable: str | None = None
    ) -> str:
        return await self._add(topic, handler, is_pattern=False, durable=durable)

    async def subscribe_pattern(
        self, pattern: str, handler: EventHandler, *, durable: str | None = None
    ) -> str:
        return await self._add(pattern, handler, is_pattern=True, durable=durable)

    async def unsubscribe(self, subscription_id: str) -> None:
        entry = self._subscriptions.pop(subscription_id, None)
        if entry is None:
            return
        await entry.stop(self._ack_wait)
        with contextlib.suppress(Exception):  # already gone with a closed connection
            await entry.subscription.unsubscribe()

    async def _add(
        self, subject: str, handler: EventHandler, *, is_pattern: bool, durable: str | None
    ) -> str:
        js = self._require("subscribe", subject)
        split_topic(subject, wildcards=is_pattern)
        nats_subject = self.subject_of(subject)
        subscription_id = str(uuid7())
        if durable is None:

            async def on_message(msg: Msg) -> None:
                event = self._decode(msg)
                if event is not None:
                    await self._call(handler, event, msg.subject)

            push = await js.subscribe(
                nats_subject,
                cb=on_message,
                stream=self.stream,
                ordered_consumer=True,
                deliver_policy=DeliverPolicy.NEW,
            )
            self._subscriptions[subscription_id] = _NatsSubscription(push)
            return subscription_id
        name = consumer_name(durable, nats_subject)
        pull = await js.pull_subscribe(
            nats_subject,
            durable=name,
            stream=self.stream,
            config=ConsumerConfig(
                durable_name=name,
                filter_subject=nats_subject,
                deliver_policy=DeliverPolicy.NEW,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=self._ack_wait,
                max_deliver=self._max_redeliveries + 1,
            ),
        )
        entry = _NatsSubscription(pull)
        entry.task = asyncio.create_task(
            self._pull_loop(entry, handler), name=f"event-bus-durable-{name}"
        )
        self._subscriptions[subscription_id] = entry
        return subscription_id

    async def _pull_loop(self, entry: _NatsSubscription, handler: EventHandler) -> None:
        pull: JetStreamContext.PullSubscription = entry.subscription
        pause = 0.1
        while not entry.stopping:
            try:
                messages = await pull.fetch(1, timeout=self._fetch_timeout)
            except TimeoutError:
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reconnecting, or the server restarting: try again
                logger.warning("durable fetch failed (%s); retrying in %.1fs", exc, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            pause = 0.1
            entry.handling = True
            try:
                for msg in messages:
                    await self._handle_durable(msg, handler)
            finally:
                entry.handling = False

    async def _handle_durable(self, msg: Msg, handler: EventHandler) -> None:
        event = self._decode(msg)
        if event is None:
            await _settle(msg.term())
            return
        try:
            await handler(event)
        except Exception:
            delivered = msg.metadata.num_delivered or 1
            if delivered > self._max_redeliveries:
                logger.exception(
                    "durable handler %r gave up on event %s (%s) after %d deliveries",
                    handler,
                    event.id,
                    msg.subject,
                    delivered,
                )
                await _settle(msg.term())
            else:
                delay = self._redelivery_delay * 2 ** (delivered - 1)
                logger.exception(
                    "durable handler %r failed on event %s (%s), delivery %d; again in %.1fs",
                    handler,
                    event.id,
                    msg.subject,
                    delivered,
                    delay,
                )
                await _settle(msg.nak(delay=delay))
            return
        await _settle(msg.ack())

    def _decode(self, msg: Msg) -> Event | None:
        try:
            return Event.model_validate_json(msg.data)
        except ValidationError:
            logger.exception("dropped a message on %s that is not an Event", msg.subject)
            return None

    @staticmethod
    async def _call(handler: EventHandler, event: Event, subject: str) -> None:
        try:
            await handler(event)
        except Exception:  # a broken handler must not end the subscription
            logger.exception("event handler %r failed on %s (event %s)", handler, subject, event.id)

    def _require(self, operation: str, topic: str) -> JetStreamContext:
        if self._js is None:
            raise EventBusNotConnectedError(
                f"cannot {operation} on {topic!r}: the event bus is not connected; "
                "await connect() first",
                topic=topic,
            )
        return self._js

    # ------------------------------------------------------------------ connection news
    async def _on_error(self, exc: Exception) -> None:
        logger.warning("NATS error: %s", exc)

    async def _on_disconnected(self) -> None:
        if self._nc is None:  # our own disconnect()
            return
        logger.warning("NATS disconnected from %s; reconnecting", self.url)

    async def _on_reconnected(self) -> None:
        logger.info("NATS reconnected to %s", self.url)


def consumer_name(durable: str, subject: str) -> str:
    """A JetStream consumer name for a durable subscription: the name made safe, plus a short
    hash of the subject so one name on two subjects makes two queues."""
    digest = hashlib.sha1(subject.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{_UNSAFE_NAME.sub('_', durable)[:64]}_{digest}"


async def _settle(acknowledgement: Any) -> None:
    try:
        await acknowledgement
    except Exception:  # the server redelivers after ack_wait anyway
        logger.warning("could not acknowledge a message", exc_info=True)
