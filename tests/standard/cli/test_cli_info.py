"""``m info``: versions and apps; ``--verbose``: the configured services, tried for real."""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from cli_support import SHOP_PACKAGE, ok, write_app_checkout

from service_support import service_unavailable

pytestmark = pytest.mark.slow

WEB_SAMPLE = Path(__file__).resolve().parents[1] / "web" / "sample_site"
REDIS = "redis://127.0.0.1:6379/0"
NATS = "nats://127.0.0.1:4222"
CLOSED = "127.0.0.1:9"  # the discard port: nothing listens on it here


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((host, port)) == 0


def _service_line(out: str, label: str) -> str:
    return next(line for line in out.splitlines() if line.strip().split("  ")[0] == label)


def test_versions_and_apps_from_a_checkout(tmp_path: Path) -> None:
    root = write_app_checkout(tmp_path / "shop")
    out = ok(root, "info")
    lines = out.splitlines()
    assert lines[0] == f"Framework M {version('framework-m-core')}"
    for package in ("framework-m-core", "framework-m-standard", "framework-m-desk"):
        assert f"  {package:<22}{version(package)}" in lines
    assert lines[6].startswith("Python 3.")
    assert f"  {SHOP_PACKAGE:<22}not installed, from the checkout {root}" in lines
    assert any(line.startswith("Desk: ") for line in lines)
    assert "Services" not in out


def test_apps_named_in_the_settings(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(WEB_SAMPLE), "FRAMEWORK_M_APPS": '["web_sample"]'}
    assert f"  {'web_sample':<22}imported from the path" in ok(tmp_path, "info", env=env)


def test_verbose_tries_each_configured_service(tmp_path: Path, database_url: str) -> None:
    if not _listening("127.0.0.1", 6379):
        service_unavailable("Redis at 127.0.0.1:6379 is unreachable")
    if not _listening("127.0.0.1", 4222):
        service_unavailable("NATS at 127.0.0.1:4222 is unreachable")
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS,
        "NATS_URL": NATS,
        "FRAMEWORK_M_DB_BINDS": f'{{"archive": "postgresql+asyncpg://u:hunter2@{CLOSED}/x"}}',
    }
    sqlite_file = tmp_path / "test.db"
    if database_url.startswith("sqlite"):
        # Asking must not create the database.
        out = ok(tmp_path, "info", "--verbose", "--timeout", "5", env=env)
        assert "not created yet" in _service_line(out, "database")
        assert not sqlite_file.exists()
        sqlite3.connect(sqlite_file).close()
    out = ok(tmp_path, "info", "--verbose", "--timeout", "5", env=env)
    assert "Services (each given 5 s to answer):" in out
    assert "reachable (" in _service_line(out, "database")
    assert "UNREACHABLE" not in _service_line(out, "database")
    assert f"{REDIS}  reachable (" in _service_line(out, "redis")
    assert f"{NATS}  reachable (" in _service_line(out, "nats")
    archive = _service_line(out, "database archive")
    assert f"postgresql+asyncpg://u:********@{CLOSED}/x  UNREACHABLE (" in archive
    assert "hunter2" not in out


@pytest.fixture
def not_nats() -> Iterator[str]:
    """A TCP server that answers, but not as NATS does."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer() -> None:
        with server:
            connection, _ = server.accept()
            with connection:
                connection.sendall(b"HELLO there\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"nats://127.0.0.1:{port}"
    thread.join(timeout=10)


def test_verbose_reports_what_does_not_answer(tmp_path: Path, not_nats: str) -> None:
    env = {"REDIS_URL": f"redis://{CLOSED}/0", "NATS_URL": not_nats}
    out = ok(tmp_path, "info", "-v", "--timeout", "5", env=env)
    assert "UNREACHABLE (" in _service_line(out, "redis")
    assert "answered, but not as a NATS server" in _service_line(out, "nats")


def test_verbose_without_redis_or_nats(tmp_path: Path) -> None:
    out = ok(tmp_path, "info", "--verbose")
    assert "not configured (in-process cache and rate limits)" in _service_line(out, "redis")
    assert "not configured (in-process events and jobs)" in _service_line(out, "nats")
    assert "Settings file: (none: defaults)" in out
