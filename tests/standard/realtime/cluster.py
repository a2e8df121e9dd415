"""Two (or more) real API processes over one database and one NATS, for the realtime tests.

Users are seeded once (the HTTP tests' users and sample site), then each server is started
as the HTTP tests start theirs (``live_server.launch``), with a NATS subject prefix and
stream names unique to the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import websockets
from websockets.asyncio.client import ClientConnection

WEB_TESTS = Path(__file__).resolve().parents[1] / "web"
if str(WEB_TESTS) not in sys.path:
    sys.path.insert(0, str(WEB_TESTS))

from live_server import (  # noqa: E402
    SITE,
    LiveServer,
    _seed,
    email,
    launch,
    password,
    server_env,
    wait_until_healthy,
)

from service_support import create_pg_database, drop_pg_database, pg_url, service_unavailable  # noqa: E402

NATS_URL = "nats://127.0.0.1:4222"
DEADLINE = 10.0


def nats_reachable() -> None:
    async def probe() -> None:
        client = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
        await client.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        service_unavailable(f"NATS at {NATS_URL} is unreachable: {exc}")


@dataclass
class Cluster:
    servers: list[LiveServer]
    env: dict[str, str]
    prefix: str
    user_ids: dict[str, str] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, user: str) -> str:
        if user not in self._tokens:
            response = httpx.post(
                f"{self.servers[0].base_url}/api/v1/auth/login",
                json={"email": email(user), "password": password(user)},
                timeout=30,
            )
            response.raise_for_status()
            self._tokens[user] = response.json()["access_token"]
        return self._tokens[user]

    def ws_url(self, index: int, user: str | None = None) -> str:
        base = self.servers[index].base_url.replace("http://", "ws://") + "/api/v1/stream"
        return base if user is None else f"{base}?token={self.token(user)}"

    def log(self) -> str:
        return "\n".join(server.log() for server in self.servers)


async def _delete_streams(prefix: str) -> None:
    """Remove the JetStream streams this run made (their names carry the run's token)."""
    client = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        js = client.jetstream()
        for info in await js.streams_info():
            name = info.config.name or ""
            if prefix in name:
                await js.delete_stream(name)
    finally:
        await client.close()


@contextlib.contextmanager
def cluster(
    database: str, root: Path, *, count: int = 2, extra_env: Mapping[str, str] | None = None
) -> Iterator[Cluster]:
    """``count`` API processes sharing a fresh database and NATS, stopped and cleaned afterwards."""
    nats_reachable()
    token = uuid.uuid4().hex[:10]
    prefix = f"fmrt{token}"
    if database == "sqlite":
        url, pg_name = f"sqlite+aiosqlite:///{root / 'site.db'}", None
    else:
        pg_name = asyncio.run(create_pg_database())
        url = pg_url(pg_name)
    env = server_env(
        url,
        root,
        {
            "NATS_URL": NATS_URL,
            "FRAMEWORK_M_REALTIME__SUBJECT_PREFIX": f"{prefix}.socket",
            "FRAMEWORK_M_EVENTS__STREAM": f"FMRT_{token}",
            "FRAMEWORK_M_EVENTS__SUBJECT_PREFIX": f"{prefix}.events",
            "FRAMEWORK_M_EVENTS__RELAY_POLL_INTERVAL": "0.2",
            "FRAMEWORK_M_JOBS__STREAM": f"fmrt_jobs_{token}",
            "FRAMEWORK_M_JOBS__SUBJECT": f"{prefix}.jobs",
            "FRAMEWORK_M_JOBS__CONSUMER": f"fmrt_workers_{token}",
            **(extra_env or {}),
        },
    )
    if str(SITE) not in sys.path:
        sys.path.insert(0, str(SITE))
    servers: list[LiveServer] = []
    try:
        user_ids = asyncio.run(_seed(env))
        servers = [launch(env, root, name=f"server{i}") for i in range(count)]
        for server in servers:
            wait_until_healthy(server)
        yield Cluster(servers=servers, env=env, prefix=prefix, user_ids=user_ids)
    finally:
        for server in servers:
            server.stop()
        with contextlib.suppress(Exception):
            asyncio.run(_delete_streams(token))
        if pg_name is not None:
            asyncio.run(drop_pg_database(pg_name))


# ---------------------------------------------------------------- WebSocket client helpers
@contextlib.asynccontextmanager
async def connect(url: str, **kwargs: Any) -> AsyncIterator[ClientConnection]:
    """A client connection that has received its ``ready`` message."""
    async with websockets.connect(url, open_timeout=DEADLINE, **kwargs) as ws:
        ready = await receive(ws)
        assert ready["type"] == "ready", ready
        yield ws


async def receive(ws: ClientConnection, within: float = DEADLINE) -> dict[str, Any]:
    """The next message within ``within`` seconds, skipping the server's pings (answered)."""
    deadline = time.monotonic() + within
    while True:
        remaining = deadline - time.monotonic()
        raw = await asyncio.wait_for(ws.recv(), max(remaining, 0.01))
        message = json.loads(raw)
        assert isinstance(message, dict)
        if message.get("type") == "ping":
            await ws.send(json.dumps({"action": "pong"}))
            continue
        return message


async def request(ws: ClientConnection, **message: Any) -> dict[str, Any]:
    await ws.send(json.dumps(message))
    return await receive(ws)


async def nothing_within(ws: ClientConnection, seconds: float) -> None:
    """Assert that no message (besides pings) arrives for ``seconds``."""
    with contextlib.suppress(TimeoutError):
        message = await receive(ws, within=seconds)
        raise AssertionError(f"unexpected message {message}")
