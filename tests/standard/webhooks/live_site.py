"""A whole site in the test's event loop: the Litestar app served by uvicorn on a real port.

Its lifespan runs every bootstrap step (events, jobs, the webhook listener), so a document
saved over HTTP goes through the outbox, the event bus, the listener, the job queue and the
delivery job to a receiver, as in production. ``nats=True`` uses NATS JetStream for events
and jobs (unique stream, subject and consumer names, deleted afterwards) and consumes the job
queue in this process, as an ``m worker`` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
from litestar import Litestar

from framework_m_core.settings import Settings, load_settings
from framework_m_standard.adapters.web.app import create_app
from framework_m_standard.adapters.web.job_routes import JOBS_STATE_KEY
from framework_m_standard.adapters.web.runtime import STATE_KEY, WebRuntime
from nats_support import SiteNames, delete_streams, require_nats

BACKOFF = 1.4
"""Backoff base of the tests' job queue: retries after 1.4 s, 1.96 s, 2.74 s ..."""
PASSWORD = "pw-webhooks-test"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveSite:
    app: Litestar
    base_url: str
    settings: Settings
    env: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def runtime(self) -> WebRuntime:
        runtime = self.app.state[STATE_KEY]
        assert isinstance(runtime, WebRuntime)
        return runtime

    def client(self, user: str | None = "admin") -> httpx.AsyncClient:
        headers = {} if user is None else {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30)


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, within: float = 30.0, what: str = "condition"
) -> T:
    """The first truthy result of ``probe``, polled for ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.05)


def site_env(database_url: str, root: Path, *, nats: bool) -> tuple[dict[str, str], list[str]]:
    """The environment of a site (for this process and its ``m worker``), and its NATS streams."""
    jobs: dict[str, Any] = {"backoff": BACKOFF, "scheduler": False, "retries": 3}
    events: dict[str, Any] = {"relay_poll_interval": 0.2}
    env = {
        "DATABASE_URL": database_url,
        "FRAMEWORK_M_ENVIRONMENT": "test",
        "FRAMEWORK_M_APPS": '["webhook_sample"]',
        "FRAMEWORK_M_PROJECT_ROOT": str(root),
    }
    if not nats:
        env["FRAMEWORK_M_JOBS"] = json.dumps(jobs)
        env["FRAMEWORK_M_EVENTS"] = json.dumps(events)
        return env, []
    names = SiteNames()
    env.update(names.env(events={**events, "ack_wait": 10}, jobs=jobs))
    return env, names.streams


@contextlib.asynccontextmanager
async def running_site(
    database_url: str, root: Path, *, nats: bool, run_jobs: bool = True
) -> AsyncIterator[LiveSite]:
    """The site on ``database_url``, an administrator ``admin`` and an ``agent`` signed in.

    With ``nats`` and ``run_jobs`` this process also consumes the job queue (as ``m worker``
    would); with ``run_jobs=False`` jobs wait for a worker process (``LiveSite.env``).
    """
    if nats:
        await require_nats()
    env, streams = site_env(database_url, root, nats=nats)
    settings = load_settings(env=env, config_file=None)
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: _started(server, task), within=60, what="the server to start")
        site = LiveSite(app=app, base_url=f"http://127.0.0.1:{port}", settings=settings, env=env)
        if nats and run_jobs:
            # This process is also the worker: it consumes the JetStream job queue.
            await app.state[JOBS_STATE_KEY].start()
        identity = site.runtime.auth.identity
        await identity.create_user("admin@example.com", PASSWORD, roles=["System Manager"])
        await identity.create_user("agent@example.com", PASSWORD, roles=["Agent"])
        async with httpx.AsyncClient(base_url=site.base_url) as anonymous:
            for user in ("admin", "agent"):
                response = await anonymous.post(
                    "/api/v1/auth/login",
                    json={"email": f"{user}@example.com", "password": PASSWORD},
                )
                response.raise_for_status()
                site.tokens[user] = response.json()["access_token"]
        yield site
    finally:
        server.should_exit = True
        await task
        if streams:
            await delete_streams(streams)


async def _started(server: uvicorn.Server, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()
        raise RuntimeError("the server stopped during start-up")
    return server.started
