"""Helpers of the event tests."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from framework_m_core.bootstrap import Bootstrap
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.interfaces.event_bus import Event
from framework_m_core.settings import EventSettings, JobsSettings, Settings
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


NOTE_APP = """
from framework_m_core.domain.base_doctype import BaseDocType


class {doctype}(BaseDocType):
    title: str
"""


@contextlib.asynccontextmanager
async def note_app(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    module: str,
    doctype: str,
    **settings: Any,
) -> AsyncIterator[BootstrapContext]:
    """An app of one DocType ``doctype`` (a title) booted on the test database. By default
    the in-process bus, and a relay that polls once a minute: only a commit wakes it in time;
    ``settings`` override."""
    (tmp_path / f"{module}.py").write_text(NOTE_APP.format(doctype=doctype))
    monkeypatch.syspath_prepend(str(tmp_path))
    options: dict[str, Any] = {"events": EventSettings(relay_poll_interval=60), **settings}
    try:
        async with Bootstrap(Settings(database_url=database_url, apps=[module], **options)) as ctx:
            yield ctx
    finally:
        sys.modules.pop(module, None)


async def save_note(ctx: BootstrapContext, doctype: str, title: str, *, commit: bool = True) -> Any:
    """A note saved in its own unit of work, committed unless ``commit`` is false."""
    database = ctx.state["database"]
    model = ctx.container.meta_registry().get_doctype(doctype)
    repository = database.repositories.get(model)
    async with database.unit_of_work() as uow:
        saved = await repository.save(uow.session, model.model_validate({"title": title}))
        if commit:
            await uow.commit()
    return saved
