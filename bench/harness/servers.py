"""Servers under test: uvicorn in a subprocess pinned to one core, with the production options.

The framework and the baseline run with the same uvicorn options, one worker each, on the same
core; ``taskset`` execs uvicorn, so the process id is the server's and its peak RSS is
``VmHWM`` in ``/proc/<pid>/status``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from .databases import BenchDatabase
from .site import python_path

SERVER_CORE = "0"
CLIENT_CORE = "1"
FRAMEWORK_APP = "framework_m_standard.adapters.web.app:asgi_app"
BASELINE_APP = "bench.baseline_app:create_app"
UVICORN_OPTIONS = (
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--no-access-log",
    "--log-level",
    "warning",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    started_at: float
    ready_after: float = 0.0
    """Seconds from process start until ``/healthz`` answered 200."""

    def peak_rss_mb(self) -> float:
        """The high-water mark of the server's resident memory so far."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0.0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    name: str, app: str, env: Mapping[str, str], root: Path, *, timeout: float = 120
) -> Server:
    """Start ``app`` (a uvicorn factory) and wait until ``/healthz`` answers 200."""
    port = free_port()
    log_path = root / f"{name}-{port}.log"
    command = [
        "taskset",
        "-c",
        SERVER_CORE,
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *UVICORN_OPTIONS,
    ]
    with log_path.open("wb") as log:
        started_at = time.perf_counter()
        process = subprocess.Popen(
            command, env=dict(env), cwd=root, stdout=log, stderr=subprocess.STDOUT
        )
    server = Server(
        name=name,
        base_url=f"http://127.0.0.1:{port}",
        process=process,
        log_path=log_path,
        started_at=started_at,
    )
    try:
        server.ready_after = _wait_healthy(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_healthy(server: Server, timeout: float) -> float:
    deadline = server.started_at + timeout
    with httpx.Client(timeout=1) as client:
        while time.perf_counter() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited at start:\n{server.log()}")
            try:
                if client.get(f"{server.base_url}/healthz").status_code == 200:
                    return time.perf_counter() - server.started_at
            except httpx.TransportError:
                pass
            time.sleep(0.01)
    raise RuntimeError(f"{server.name} did not answer /healthz in {timeout} s:\n{server.log()}")


def baseline_env(
    database: BenchDatabase, owner: str, count_limit: int | None = None
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "BENCH_BASELINE_DB": database.kind,
            "BENCH_BASELINE_DSN": database.driver_dsn,
            "BENCH_BASELINE_OWNER": owner,
            "BENCH_BASELINE_COUNT_LIMIT": "" if count_limit is None else str(count_limit),
            "PYTHONPATH": python_path(),
        }
    )
    return env


def count_cap(server: Server, token: str) -> int | None:
    """The framework's cap on ``/count`` as the running server applies it (``"exact": false``
    gives the cap), for the baseline to count as far; None when it counted every row."""
    response = httpx.get(
        f"{server.base_url}/api/v1/BenchEvent/count",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    response.raise_for_status()
    body = response.json()
    return int(body["count"]) if body.get("exact") is False else None


def login(server: Server, email: str, password: str) -> str:
    """A bearer token from the framework's login endpoint."""
    response = httpx.post(
        f"{server.base_url}/api/v1/auth/login",
        json={"email": email, "password": password},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])
