"""Serving the built Desk at /desk: cache headers, the SPA fallback, 404s, no way out of the
static directory, the Content-Security-Policy, config.js, and the redirect of /.

A tiny fake build in tmp_path stands in for ``npm run build``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from framework_m_core.settings import Settings
from framework_m_desk.serving import CONTENT_SECURITY_POLICY, desk_router
from framework_m_standard.adapters.web.app import create_app
from framework_m_standard.cli import desk_mount, site_app

INDEX = '<!doctype html><script src="/desk/config.js"></script><div id="root"></div>'
SCRIPT = "console.log('desk')"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.fixture
def static(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-Cgm98PLf.js").write_text(SCRIPT)
    (root / "assets" / "index-BRG8H-ET.css").write_text("body{margin:0}")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / ".vite").mkdir()
    (root / ".vite" / "manifest.json").write_text('{"index.html": {}}')
    (root / "assets" / ".hidden.js").write_text("secret()")
    (tmp_path / "secret.txt").write_text("outside the static directory")
    (root / "assets" / "escape.js").symlink_to(tmp_path / "secret.txt")
    return root


@pytest.fixture
def client(static: Path) -> Iterator[TestClient[Litestar]]:
    settings = Settings(apps=["my_helpdesk"])
    app = Litestar(route_handlers=[desk_router(static, settings=settings)])
    with TestClient(app) as test_client:
        yield test_client


def _assert_secure(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == EXPECTED_CSP
    assert "unsafe-inline" not in response.headers["content-security-policy"].split(";")[1]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_the_policy_allows_no_inline_script() -> None:
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP
    script_src = re.search(r"script-src ([^;]*)", CONTENT_SECURITY_POLICY)
    assert script_src is not None
    assert script_src.group(1) == "'self'"


def test_hashed_assets_are_cached_for_a_year(client: TestClient[Litestar]) -> None:
    script = client.get("/desk/assets/index-Cgm98PLf.js")
    assert script.status_code == 200
    assert script.text == SCRIPT
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in script.headers["content-type"]
    assert not script.headers.get("content-disposition", "inline").startswith("attachment")
    _assert_secure(script)
    style = client.get("/desk/assets/index-BRG8H-ET.css")
    assert style.headers["content-type"].startswith("text/css")
    assert style.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["/desk", "/desk/", "/desk/login", "/desk/app/Ticket/123"])
def test_spa_routes_get_the_index_uncached(client: TestClient[Litestar], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    _assert_secure(response)


def test_other_files_are_served_but_revalidated(client: TestClient[Litestar]) -> None:
    icon = client.get("/desk/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.headers["cache-control"] == "no-cache"
    index = client.get("/desk/index.html")
    assert index.text == INDEX
    assert index.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/desk/assets/missing-abc123.js",
        "/desk/assets/",
        "/desk/assets/.hidden.js",
        "/desk/.vite/manifest.json",
        "/desk/assets/escape.js",  # a symlink out of the directory
        "/desk/assets/%2e%2e/%2e%2e/secret.txt",
        "/desk/%2e%2e/secret.txt",
        "/desk/assets/..%5c..%5csecret.txt",
    ],
)
def test_missing_hidden_and_outside_files_are_404_never_the_index(
    client: TestClient[Litestar], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert INDEX not in response.text
    assert "outside the static directory" not in response.text
    assert "secret()" not in response.text
    assert response.headers["cache-control"] == "no-cache"
    _assert_secure(response)


async def _raw_get(app: Litestar, path: str) -> tuple[int, bytes]:
    """A GET of exactly ``path``: clients would normalise the dot segments away."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"desk.test")],
        "server": ("desk.test", 80),
        "client": ("127.0.0.1", 50000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)  # type: ignore[arg-type]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


@pytest.mark.parametrize(
    "path",
    ["/desk/../secret.txt", "/desk/assets/../../secret.txt", "/desk/assets/../index.html"],
)
async def test_raw_dot_dot_paths_never_leave_the_directory(static: Path, path: str) -> None:
    status, body = await _raw_get(Litestar(route_handlers=[desk_router(static)]), path)
    assert status == 404, body
    assert b"outside the static directory" not in body
    assert INDEX.encode() not in body


def test_config_js_comes_from_the_settings(client: TestClient[Litestar]) -> None:
    response = client.get("/desk/config.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "no-cache"
    _assert_secure(response)
    prefix, suffix = "window.__FRAMEWORK_CONFIG__ = ", ";\n"
    assert response.text.startswith(prefix)
    assert response.text.endswith(suffix)
    config = json.loads(response.text[len(prefix) : -len(suffix)])
    assert config == {
        "apiBase": "",
        "deskBase": "/desk",
        "authStrategy": "cookie",
        "loginUrl": "/login",
        "streamPath": "/api/v1/stream",
        "appName": "My Helpdesk",
    }


def test_root_redirects_to_the_desk(client: TestClient[Litestar]) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/desk/"
    _assert_secure(response)


def test_mounted_on_the_framework_app_public_while_the_api_asks_for_credentials(
    static: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The way `m start` builds its app: the framework app plus the Desk when it is built.
    (tmp_path / "pkgs" / "service_desk").mkdir(parents=True)
    (tmp_path / "pkgs" / "service_desk" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    monkeypatch.setattr(site_app, "desk_assets", lambda: static)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'site.db'}",
        environment="test",
        project_root=str(tmp_path),
        apps=["service_desk"],
    )
    with TestClient(site_app.build_site_app(settings)) as client:
        assert client.get("/", follow_redirects=False).headers["location"] == "/desk/"
        page = client.get("/desk/app/Ticket")
        assert (page.status_code, page.text) == (200, INDEX)
        config = client.get("/desk/config.js").text
        assert '"appName": "Service Desk"' in config  # the running app's settings
        assert client.get("/desk/assets/index-Cgm98PLf.js").text == SCRIPT
        assert client.get("/api/v1/auth/me").status_code == 401
        assert client.get("/api/v1/User").status_code == 401
        # The API's own responses carry no Desk policy.
        assert "content-security-policy" not in client.get("/healthz").headers
    assert desk_mount.desk_status() in (
        "served at /desk",
        "installed but not built (framework_m_desk/static/index.html is missing)",
    )


def test_create_app_alone_serves_no_desk(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'api.db'}",
        environment="test",
        project_root=str(tmp_path),
        apps=[],
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/desk/").status_code == 404
        assert client.get("/", follow_redirects=False).status_code == 404
