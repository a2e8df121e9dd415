"""A real server for the HTTP tests: uvicorn in a subprocess, on a free port, over a real database.

Users are created in the database before the server starts; tests talk to it with httpx.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from framework_m_core.bootstrap import Bootstrap
from framework_m_core.settings import load_settings
from service_support import create_pg_database, drop_pg_database, pg_url

SITE = Path(__file__).parent / "sample_site"
MAX_REQUEST_HEAD = 256 * 1024
REPO = Path(__file__).resolve().parents[3]

USERS: dict[str, dict[str, Any]] = {
    "alice": {"roles": ["Employee"], "teams": ["red"], "tenants": ["acme"]},
    "bob": {"roles": ["Employee"], "teams": ["blue"], "tenants": ["globex"]},
    "carol": {"roles": ["Employee"], "teams": ["red"], "tenants": ["acme", "globex"]},
    "hr": {"roles": ["Employee", "HR"], "teams": [], "tenants": []},
    "admin": {"roles": ["System Manager"], "teams": [], "tenants": []},
    "outsider": {"roles": ["Visitor"], "teams": [], "tenants": []},
}


def email(user: str) -> str:
    return f"{user}@example.com"


def password(user: str) -> str:
    return f"pw-{user}-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    user_ids: dict[str, str] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def client(self, user: str | None = None, **kwargs: Any) -> httpx.Client:
        """A client signed in as ``user`` with a bearer token (anonymous when None)."""
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30, **kwargs)

    def token(self, user: str) -> str:
        if user not in self._tokens:
            with httpx.Client(base_url=self.base_url, timeout=30) as client:
                response = client.post(
                    "/api/v1/auth/login", json={"email": email(user), "password": password(user)}
                )
                response.raise_for_status()
                self._tokens[user] = response.json()["access_token"]
        return self._tokens[user]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def server_env(
    database_url: str, root: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "FRAMEWORK_M_APPS": '["web_sample"]',
            "FRAMEWORK_M_ENVIRONMENT": "test",
            "FRAMEWORK_M_PROJECT_ROOT": str(root),
            "PYTHONPATH": os.pathsep.join([str(SITE), env.get("PYTHONPATH", "")]),
        }
    )
    env.update(extra or {})
    return env


async def _seed(env: Mapping[str, str]) -> dict[str, str]:
    settings = load_settings(env=env, config_file=None)
    ids: dict[str, str] = {}
    async with Bootstrap(settings) as context:
        identity = context.state["auth"].identity
        for user, spec in USERS.items():
            created = await identity.create_user(
                email(user),
                password(user),
                roles=spec["roles"],
                teams=spec["teams"],
                tenants=spec["tenants"],
            )
            ids[user] = str(created.id)
    return ids


APP_FACTORY = "framework_m_standard.adapters.web.app:asgi_app"


def launch(
    env: Mapping[str, str], root: Path, *, name: str = "server", factory: str = APP_FACTORY
) -> LiveServer:
    """uvicorn serving the app ``factory`` makes, in a subprocess on a free port (started, not
    yet answering: see ``wait_until_healthy``); its output goes to ``root/<name>.log``."""
    port = free_port()
    log_path = root / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                factory,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                # Room for the longest query the OpenAPI document allows (8 KiB of 4-byte
                # characters, percent-encoded); h11's 16 KiB default answers text/plain 400.
                # The pure-Python parser, whatever else is installed: its head limit is set here.
                "--http",
                "h11",
                "--h11-max-incomplete-event-size",
                str(MAX_REQUEST_HEAD),
                "--log-level",
                "warning",
            ],
            env=dict(env),
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return LiveServer(
        base_url=f"http://127.0.0.1:{port}",
        database_url=env["DATABASE_URL"],
        process=process,
        log_path=log_path,
    )


def wait_until_healthy(server: LiveServer, timeout: float = 60) -> None:
    """Return once ``/healthz`` answers 200; stop the server and raise if it exits or never does."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=1) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"The server exited at start:\n{server.log()}")
            try:
                if client.get(f"{server.base_url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"The server did not answer /healthz in {timeout} s:\n{server.log()}")


def start_server(
    database_url: str,
    root: Path,
    *,
    extra_env: Mapping[str, str] | None = None,
    factory: str = APP_FACTORY,
) -> LiveServer:
    """The users seeded in the database, then a server of ``factory`` answering on it."""
    env = server_env(database_url, root, extra_env)
    if str(SITE) not in sys.path:
        sys.path.insert(0, str(SITE))
    user_ids = asyncio.run(_seed(env))
    server = launch(env, root, factory=factory)
    server.user_ids = user_ids
    wait_until_healthy(server)
    return server


@contextlib.contextmanager
def serve(
    database: str, root: Path, *, extra_env: Mapping[str, str] | None = None
) -> Iterator[LiveServer]:
    """A live server on a fresh ``sqlite`` file or ``postgresql`` database, removed afterwards."""
    if database == "sqlite":
        url, pg_name = f"sqlite+aiosqlite:///{root / 'site.db'}", None
    else:
        pg_name = asyncio.run(create_pg_database())
        url = pg_url(pg_name)
    try:
        server = start_server(url, root, extra_env=extra_env)
        try:
            yield server
        finally:
            server.stop()
    finally:
        if pg_name is not None:
            asyncio.run(drop_pg_database(pg_name))
