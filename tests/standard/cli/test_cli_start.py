"""``m start``: serves an uninstalled app checkout, the Desk when built, over h11; stops cleanly."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pytest
from cli_support import SHOP_PACKAGE, m, seed_users, signed_in, start, write_app_checkout

from framework_m_desk import serving

pytestmark = pytest.mark.slow


def test_serves_the_app_checkout_it_runs_in(tmp_path: Path, database_url: str) -> None:
    root = write_app_checkout(tmp_path / "shop")
    seed_users(root, database_url, {"clerk@example.com": ["Clerk"]})
    server = start(root / "src", env={"DATABASE_URL": database_url})  # a subdirectory works too
    try:
        with signed_in(server.base_url, "clerk@example.com") as client:
            assert client.get("/readyz").json() == {"status": "ok"}
            created = client.post("/api/v1/Product", json={"title": "Lamp", "price": 12})
            assert created.status_code == 201, created.text
            listed = client.get("/api/v1/Product").json()
            assert [(p["title"], p["price"]) for p in listed["data"]] == [("Lamp", 12)]
            # A request head far beyond h11's 16 KiB default still gets a JSON answer.
            long_filter = json.dumps(
                [["title", "in", ["\U0001d11e" * 2000, "Lamp"]]], ensure_ascii=False
            )
            long = client.get("/api/v1/Product", params={"filters": long_filter})
            assert len(str(long.request.url)) > 20_000
            assert long.status_code == 200, long.text
            assert [p["title"] for p in long.json()["data"]] == ["Lamp"]
    finally:
        code = server.stop()
    log = server.log()
    assert code == 0, log
    assert f"Framework M serving {SHOP_PACKAGE} at {server.base_url}" in log
    assert f"App checkout: {root}" in log
    assert "Finished server process" in log
    assert "Traceback" not in log


def test_mounts_the_desk_when_its_package_is_built(tmp_path: Path) -> None:
    # A framework_m_desk package with a built SPA, ahead of the installed one on the path.
    desk = tmp_path / "desk_build" / "framework_m_desk"
    (desk / "static" / "assets").mkdir(parents=True)
    (desk / "__init__.py").write_text("")
    shutil.copy(serving.__file__, desk / "serving.py")  # the installed package's server
    (desk / "static" / "index.html").write_text("<!doctype html><title>Desk</title>")
    (desk / "static" / "assets" / "app.js").write_text("console.log('desk')")
    site = tmp_path / "site"
    site.mkdir()
    server = start(site, env={"PYTHONPATH": str(desk.parent)})
    try:
        index = httpx.get(f"{server.base_url}/desk/", timeout=10)
        assert index.status_code == 200
        assert "<title>Desk</title>" in index.text
        script = httpx.get(f"{server.base_url}/desk/assets/app.js", timeout=10)
        assert script.text == "console.log('desk')"
        # The API still asks for credentials: only the Desk's files are public.
        assert httpx.get(f"{server.base_url}/api/v1/User", timeout=10).status_code == 401
    finally:
        assert server.stop() == 0
    assert "Desk: served at /desk" in server.log()


def test_says_when_the_desk_is_not_built(tmp_path: Path) -> None:
    # A framework_m_desk package without a build, ahead of the installed one (which `npm run
    # build` may have built in this checkout).
    desk = tmp_path / "desk_unbuilt" / "framework_m_desk"
    desk.mkdir(parents=True)
    (desk / "__init__.py").write_text("")
    site = tmp_path / "site"
    site.mkdir()
    server = start(site, env={"PYTHONPATH": str(desk.parent)})
    try:
        assert httpx.get(f"{server.base_url}/desk/", timeout=10).status_code == 404
    finally:
        assert server.stop() == 0
    assert "Desk: installed but not built" in server.log()


def test_several_workers_serve(tmp_path: Path) -> None:
    server = start(tmp_path, "--workers", "2")
    try:
        for _ in range(4):
            assert httpx.get(f"{server.base_url}/readyz", timeout=10).json() == {"status": "ok"}
    finally:
        assert server.stop() == 0
    assert server.log().count("Application startup complete") == 2


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_site_that_cannot_start_fails_on_one_line(tmp_path: Path, workers: str) -> None:
    server = start(
        tmp_path,
        "--workers",
        workers,
        env={"DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere"},
        wait=False,
    )
    assert server.process.wait(timeout=60) == 1
    log = server.log()
    assert "Cannot start: Bootstrap step 'sync_schema' failed:" in log
    assert "Traceback" not in log


def test_an_app_that_does_not_import_fails_before_serving(tmp_path: Path) -> None:
    root = write_app_checkout(tmp_path / "shop")
    (root / "src" / SHOP_PACKAGE / "doctypes.py").write_text("import no_such_module_here\n")
    result = m(root, "start", "--port", "1")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "m: error: cannot load the installed apps: No module named 'no_such_module_here'"
    ]


def test_refuses_a_bad_port(tmp_path: Path) -> None:
    result = m(tmp_path, "start", "--port", "70000")
    assert result.returncode == 1
    assert result.stderr.strip() == "m: error: --port must be between 1 and 65535, not 70000"


def test_reload_serves_the_changed_app(tmp_path: Path) -> None:
    root = write_app_checkout(tmp_path / "shop")
    server = start(root, "--reload", "--log-level", "warning")
    try:
        doctypes = root / "src" / SHOP_PACKAGE / "doctypes.py"
        doctypes.write_text(
            doctypes.read_text().replace(
                "    price: int = Field(default=0, ge=0)\n",
                "    price: int = Field(default=0, ge=0)\n    colour: str | None = None\n",
            )
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                schema = httpx.get(f"{server.base_url}/schema/openapi.json", timeout=5).json()
            except (httpx.TransportError, ValueError):
                schema = {}
            if "colour" in json.dumps(schema.get("components", {})):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"the change was not served:\n{server.log()}")
    finally:
        assert server.stop() == 0
    log = server.log()
    # --log-level warning: uvicorn's own INFO lines are gone, the change was still noticed.
    assert "Application startup complete" not in log
    assert "Traceback" not in log
