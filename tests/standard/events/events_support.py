"""Helpers of the event tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from framework_m_core.interfaces.event_bus import Event
from framework_m_core.settings import EventSettings, JobsSettings
from framework_m_standard.adapters.events.nats import NatsEventBus


@dataclass(frozen=True)
class NatsNames:
    url: str
    stream: str
    prefix: str

    def event_settings(self, **options: object) -> EventSettings:
        return EventSettings.model_validate(
            {"stream": self.stream, "subject_prefix": self.prefix, **options}
        )

    @property
    def jobs_stream(self) -> str:
        return f"{self.stream}_JOBS"

    def job_options(self) -> dict[str, str]:
        """The NATS job queue of a site these tests boot: without it the site would make the
        default ``framework_m_jobs`` stream, which every other run on the server shares."""
        return {
            "stream": self.jobs_stream,
            "subject": f"{self.prefix}_jobs",  # outside the event stream's "<prefix>.>"
            "consumer": f"{self.stream}_workers",
        }

    def job_settings(self) -> JobsSettings:
        return JobsSettings.model_validate(self.job_options())


BusFactory = Callable[..., Awaitable[NatsEventBus]]


class Recorder:
    """A handler that records what it receives."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.events]


async def wait_for(condition: Callable[[], bool], *, within: float = 10.0) -> None:
    """Wait until ``condition()`` holds; fail after ``within`` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.01)
