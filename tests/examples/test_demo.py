"""Acceptance: the README's demo command, ``bash scripts/demo.sh``, run as a user would.

It runs in its own process group on a free port with its state in a temporary directory;
the test signs in as every demo user over HTTP, checks that the two support roles differ,
fetches pages, stops the whole process group, and runs the script a second time on the same
data (which must migrate and seed nothing new).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from helpdesk.demo_data import ADMIN, AGENT, CUSTOMERS, DEMO_USERS, MANAGER, TICKETS, DemoUser
from helpdesk_site import REPO

pytestmark = pytest.mark.slow

DEMO = REPO / "scripts" / "demo.sh"
URL_LINE = re.compile(r"^Helpdesk demo: (http://127\.0\.0\.1:\d+) ", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Demo:
    url: str
    log_path: Path
    process: subprocess.Popen[bytes]
    """``bash scripts/demo.sh``, the leader of its own process group."""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def token(self, user: DemoUser) -> str:
        response = httpx.post(
            f"{self.url}/api/v1/auth/login",
            json={"email": user.email, "password": user.password},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def client(self, user: DemoUser) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(user)}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@contextmanager
def run_demo(data_dir: Path, log_path: Path, *, wait_until_serving: bool = True) -> Iterator[Demo]:
    """``bash scripts/demo.sh`` until the block ends; then its whole process group is stopped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRAMEWORK_M_", "DEMO_"))}
    env.pop("DATABASE_URL", None)
    env.update({"DEMO_PORT": str(free_port()), "DEMO_DATA_DIR": str(data_dir)})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["bash", str(DEMO)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: uv, uvicorn and all
        )
    try:
        demo = Demo(_wait_for_url(process, log_path), log_path, process)
        if wait_until_serving:
            _wait_for_health(process, demo)
        yield demo
    finally:
        _stop(process)


def _wait_for_url(process: subprocess.Popen[bytes], log_path: Path) -> str:
    # Generous: on a fresh machine the script first installs every dependency.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        found = URL_LINE.search(text)
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise AssertionError(f"demo.sh exited ({process.returncode}) before its URL:\n{text}")
        time.sleep(0.2)
    raise AssertionError(f"demo.sh printed no URL:\n{log_path.read_text(errors='replace')}")


def _wait_for_health(process: subprocess.Popen[bytes], demo: Demo) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the demo server exited ({process.returncode}):\n{demo.log()}")
        try:
            if httpx.get(f"{demo.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the demo server did not answer /healthz:\n{demo.log()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_readme_demo_command_serves_the_helpdesk(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    assert "bash scripts/demo.sh" in readme

    data = tmp_path / "demo-data"
    with run_demo(data, tmp_path / "first.log") as demo:
        output = demo.log()
        for user in DEMO_USERS:  # the logins are printed
            assert re.search(rf"{re.escape(user.email)}\s+password {user.password}\b", output)

        anonymous = httpx.get(f"{demo.url}/api/v1/Ticket", timeout=30)
        assert anonymous.status_code == 401
        docs = httpx.get(f"{demo.url}/schema/swagger", timeout=30)
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()

        with demo.client(AGENT) as agent, demo.client(MANAGER) as manager:
            # Row-level security by team: the agent works the Technical queue only.
            agent_tickets = agent.get("/api/v1/Ticket", params={"limit": 100})
            assert agent_tickets.status_code == 200, agent_tickets.text
            assert {t["team"] for t in agent_tickets.json()["data"]} == {"Technical"}
            manager_tickets = manager.get("/api/v1/Ticket", params={"limit": 100}).json()["data"]
            assert len(manager_tickets) == len(TICKETS)
            assert all(re.fullmatch(r"TKT-\d{4}-\d{5}", t["name"]) for t in manager_tickets)

            # The roles differ: customers are the managers' to add.
            new_customer = {"customer_name": "Hooli", "email": "it@hooli.example"}
            refused = agent.post("/api/v1/Customer", json=new_customer)
            assert refused.status_code == 403, refused.text
            assert refused.json()["error"]["type"] == "permission_denied"
            created = manager.post("/api/v1/Customer", json=new_customer)
            assert created.status_code == 201, created.text

            # Agents see customers, but not what they pay.
            listed = agent.get("/api/v1/Customer", params={"limit": 100}).json()["data"]
            assert len(listed) == len(CUSTOMERS) + 1
            assert all("annual_value" not in c for c in listed)
            assert all("annual_value" in c for c in manager.get("/api/v1/Customer").json()["data"])

            # A controller rule answers 422 over HTTP.
            acme = next(c for c in listed if c["customer_name"] == "Acme Corp")
            urgent = {"subject": "Down", "customer": acme["id"], "priority": "Urgent"}
            rejected = agent.post("/api/v1/Ticket", json=urgent)
            assert rejected.status_code == 422, rejected.text
            assert "assigned" in rejected.json()["error"]["message"]

            # Agents may not delete tickets; managers may.
            ticket = agent.post("/api/v1/Ticket", json={**urgent, "assigned_to": AGENT.email})
            assert ticket.status_code == 201, ticket.text
            ticket_id = ticket.json()["id"]
            assert agent.delete(f"/api/v1/Ticket/{ticket_id}").status_code == 403
            assert manager.delete(f"/api/v1/Ticket/{ticket_id}").status_code in (200, 204)

        with demo.client(ADMIN) as admin:
            me = admin.get("/api/v1/auth/me")
            assert me.status_code == 200, me.text
            assert ADMIN.email in me.text
            assert admin.get("/api/v1/User").status_code == 200

        pgid = demo.process.pid
    # The whole process group is gone: nothing keeps serving after the script is stopped.
    deadline = time.monotonic() + 10
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _group_alive(pgid)
    assert "Traceback" not in demo.log(), demo.log()

    # Again on the same data: up to date, nothing new to seed, the same logins still work.
    with run_demo(data, tmp_path / "second.log") as again:
        output = again.log()
        assert "Database is up to date." in output
        seeded = re.findall(r"(\d+) (\w+)s \((\d+) new\)", output)
        assert {kind for _, kind, _ in seeded} == {"User", "Customer", "Contact", "Ticket"}
        assert all(new == "0" for _, _, new in seeded), output
        assert again.token(AGENT)
    assert "Traceback" not in again.log(), again.log()
