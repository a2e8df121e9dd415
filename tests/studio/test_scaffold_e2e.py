"""Acceptance: from nothing to a served, tested DocType with the real ``m``, as a developer would.

In a temporary directory, as subprocesses: ``m new:app``, ``m new:doctype``, ``m migrate``,
``m user:create``, ``m start`` on a free port (the new DocType answers CRUD over HTTP, its
controller running in the server), ``m test`` (the generated tests pass) and ``m lint``,
``m format --check``, ``m typecheck`` (the generated code is clean). The app is never
installed: ``m`` finds it from the checkout it runs in. On the generated settings' SQLite
file, and on PostgreSQL through ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from scaffold_support import M, clean_env, ok

pytestmark = pytest.mark.slow

APP = "scaf_e2e_shop"
ADMIN = ("admin@example.com", "pw-admin-e2e-secret")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``m start`` in its own process group, its output in a file."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = root.parent / "server.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(M), "start", "--port", str(self.port), "--log-level", "warning"],
                cwd=root,
                env=clean_env(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"m start exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"m start did not answer /healthz in {timeout} s:\n{self.log()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # Ctrl-C, as a developer stops it
            try:
                return self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def exercise_crud(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]})
        assert login.status_code == 200, login.text
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

        created = client.post("/api/v1/StockItem", json={"title": "  Desk lamp  "})
        assert created.status_code == 201, created.text
        item = created.json()
        assert item["title"] == "Desk lamp"  # the generated controller's validate ran
        assert item["owner"]
        url = f"/api/v1/StockItem/{item['id']}"

        read = client.get(url)
        assert read.status_code == 200, read.text
        assert read.json()["title"] == "Desk lamp"

        changed = client.put(url, json={"description": "Brass", "_version": item["_version"]})
        assert changed.status_code == 200, changed.text
        assert (changed.json()["title"], changed.json()["description"]) == ("Desk lamp", "Brass")

        listed = client.get("/api/v1/StockItem")
        assert listed.status_code == 200, listed.text
        assert [(d["id"], d["description"]) for d in listed.json()["data"]] == [
            (item["id"], "Brass")
        ]

        blank = client.post("/api/v1/StockItem", json={"title": "   "})
        assert blank.status_code == 422, blank.text
        assert blank.json()["error"]["message"] == "Title must not be blank"

        anonymous = httpx.get(f"{base_url}/api/v1/StockItem", timeout=30)
        assert anonymous.status_code == 401

        deleted = client.delete(url)
        assert deleted.status_code in (200, 204), deleted.text
        assert client.get(url).status_code == 404
        assert client.get("/api/v1/StockItem").json()["data"] == []


def test_new_app_to_served_and_tested_doctype(tmp_path: Path, database_env: dict[str, str]) -> None:
    env = database_env
    ok(tmp_path, "new:app", APP, env=env)
    root = tmp_path / APP
    ok(root, "new:doctype", "Stock Item", env=env)

    migrated = ok(root, "migrate", env=env)
    assert "Applied" in migrated, migrated
    if not env:
        assert (root / f"{APP}.db").is_file()  # the generated settings' SQLite file
    ok(root, "user:create", ADMIN[0], "--password", ADMIN[1], "--system-manager", env=env)

    server = Server(root, env)
    try:
        server.wait_ready()
        exercise_crud(server.base_url)
    finally:
        code = server.stop()
    log = server.log()
    assert "Traceback" not in log, log
    assert code == 0, log

    tested = ok(root, "test", env=env)
    # The generated DocType's three tests and the app's own test, all passing.
    assert "4 passed" in tested, tested
    assert "failed" not in tested, tested
    assert "warning" not in tested.lower(), tested
    # The generated code, and the migration m migrate wrote, pass the quality relays as made.
    assert (root / "migrations").is_dir()
    ok(root, "lint", env=env)
    ok(root, "format", "--check", env=env)
    assert "Success: no issues found" in ok(root, "typecheck", env=env)
