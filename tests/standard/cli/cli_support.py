"""Running ``m`` as a real subprocess, in a directory of the test's making.

The environment is the test runner's minus every ``FRAMEWORK_M_*`` / ``DATABASE_URL`` /
``REDIS_URL`` setting, so that a command sees only what the test gives it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

M = Path(sys.executable).with_name("m")
SHOP_PACKAGE = "fm_cli_shop"

SHOP_DOCTYPES = """
from pydantic import Field

from framework_m import DocType

STAFF = ["Clerk"]


class Product(DocType):
    title: str = Field(min_length=1, max_length=140)
    price: int = Field(default=0, ge=0)

    class Meta:
        permissions = {
            "read": [*STAFF, "Viewer"],
            "create": STAFF,
            "write": STAFF,
            "delete": ["Manager"],
        }
"""


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FRAMEWORK_M_") and k not in ("DATABASE_URL", "REDIS_URL", "NATS_URL")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def m(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(M), *args],
        cwd=cwd,
        env=clean_env(env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ok(cwd: Path, *args: str, **kwargs: object) -> str:
    result = m(cwd, *args, **kwargs)  # type: ignore[arg-type]
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def write_app_checkout(root: Path, *, package: str = SHOP_PACKAGE) -> Path:
    """An uninstalled app in a src layout that declares its ``framework_m.apps`` entry point."""
    (root / "src" / package).mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [project]
            name = "{package.replace("_", "-")}"
            version = "0.1.0"

            [project.entry-points."framework_m.apps"]
            {package} = "{package}"
            """
        )
    )
    (root / "src" / package / "__init__.py").write_text('"""A shop."""\n')
    (root / "src" / package / "doctypes.py").write_text(SHOP_DOCTYPES)
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Started:
    """``m start`` running in the background."""

    process: subprocess.Popen[str]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """Stop it as Ctrl+C does and return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"m start did not stop on SIGINT:\n{self.log()}") from None
        return self.process.returncode


def start(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None, wait: bool = True
) -> Started:
    port = free_port()
    log_path = cwd / f"m-start-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(M), "start", "--port", str(port), *args],
            cwd=cwd,
            env=clean_env(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    started = Started(process, f"http://127.0.0.1:{port}", log_path)
    if wait:
        wait_healthy(started)
    return started


def wait_healthy(started: Started, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if started.process.poll() is not None:
            raise AssertionError(
                f"m start exited with {started.process.returncode}:\n{started.log()}"
            )
        try:
            if httpx.get(f"{started.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    started.stop()
    raise AssertionError(f"m start did not answer /healthz in {timeout} s:\n{started.log()}")


def password(email: str) -> str:
    return f"pw-{email.partition('@')[0]}-secret"


def seed_users(root: Path, database_url: str, users: Mapping[str, list[str]]) -> None:
    """Create users (email -> roles) in the site's database the way the server will find them."""
    from framework_m_core.bootstrap import Bootstrap
    from framework_m_core.settings import load_settings

    source = str(root / "src")
    if source not in sys.path:
        sys.path.insert(0, source)
    settings = load_settings(
        env={},
        config_file=None,
        overrides={
            "database_url": database_url,
            "apps": [SHOP_PACKAGE],
            "project_root": str(root),
        },
    )

    async def create() -> None:
        async with Bootstrap(settings) as context:
            identity = context.state["auth"].identity
            for email, roles in users.items():
                await identity.create_user(email, password(email), roles=roles)

    asyncio.run(create())


def signed_in(base_url: str, email: str) -> httpx.Client:
    """A client with a bearer token of ``email``."""
    login = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"email": email, "password": password(email)},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
