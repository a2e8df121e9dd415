"""The application factory: CORS allow-list, middleware order, OpenAPI switch, query parsing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from framework_m_core.bootstrap import Bootstrap
from framework_m_core.exceptions import BootstrapError, ConfigurationError, InvalidQueryError
from framework_m_core.interfaces.repository import FilterSpec, OrderSpec
from framework_m_core.settings import Settings
from framework_m_standard.adapters.web.app import create_app
from framework_m_standard.adapters.web.middleware import MiddlewareRegistry
from framework_m_standard.adapters.web.query_params import (
    parse_fields,
    parse_filters,
    parse_order_by,
)

SEEN: list[str] = []


def _tagging(tag: str) -> Any:
    def factory(app: Any) -> Any:
        async def middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                SEEN.append(tag)
            await app(scope, receive, send)

        return middleware

    return factory


tag_first = _tagging("first")
tag_second = _tagging("second")


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        "environment": "test",
        "project_root": str(tmp_path),
        "apps": [],
    }
    return Settings(**{**values, **overrides})


def test_cors_allows_only_the_listed_origins(tmp_path: Path) -> None:
    settings = _settings(tmp_path, http={"cors_origins": ["https://app.example.com"]})
    with TestClient(create_app(settings)) as client:
        allowed = client.options(
            "/api/v1/auth/me",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "GET",
            },
        )
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
        assert allowed.headers["access-control-allow-credentials"] == "true"
        other = client.get("/healthz", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers


def test_middleware_from_settings_runs_in_order(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        http={"middleware": ["test_web_app:tag_first", "test_web_app:tag_second"]},
    )
    SEEN.clear()
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
    assert SEEN == ["first", "second"]


def test_middleware_registry_orders_by_priority_and_reports_bad_paths() -> None:
    registry = MiddlewareRegistry()
    registry.add("late", tag_second, priority=200)
    registry.add("early", tag_first, priority=10)
    registry.add("request_id", tag_first, priority=0)
    assert registry.names() == ["request_id", "early", "late"]
    registry.remove("early")
    assert registry.names() == ["request_id", "late"]
    with pytest.raises(ConfigurationError):
        registry.load_paths(["no_such_module_xyz:factory"])


def test_openapi_can_be_switched_off(tmp_path: Path) -> None:
    with TestClient(create_app(_settings(tmp_path, http={"openapi": False}))) as client:
        assert client.get("/schema/openapi.json").status_code == 404
        assert client.get("/healthz").status_code == 200


def test_query_parameter_parsing() -> None:
    assert parse_filters('{"status": "open"}') == [FilterSpec(field="status", value="open")]
    assert parse_filters('[["qty", ">", 1], ["name", "x"]]') == [
        FilterSpec(field="qty", operator=">", value=1),
        FilterSpec(field="name", value="x"),
    ]
    assert parse_filters('[["name", "NOT IN", ["a"]]]')[0].operator == "not in"
    assert parse_order_by("-modified, name asc") == [
        OrderSpec(field="modified", direction="desc"),
        OrderSpec(field="name", direction="asc"),
    ]
    assert parse_fields("name, title") == ["name", "title"]
    assert parse_fields('["name"]') == ["name"]
    assert parse_fields("*") is None
    for bad in ("[1]", '[["a"]]', '[["a", "=", 1, 2]]', "[" + ",".join(['["a",1]'] * 51) + "]"):
        with pytest.raises(InvalidQueryError):
            parse_filters(bad)
    for bad_order in ("a b c", "-a asc", "a,,b", "a;b"):
        with pytest.raises(InvalidQueryError):
            parse_order_by(bad_order)
    with pytest.raises(InvalidQueryError):
        parse_fields('{"a": 1}')


def test_production_cookies_are_secure_and_need_a_configured_secret(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        environment="production",
        auto_sync_schema=True,
        auth={"secret_key": "k" * 64},
    )
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver.local") as client:
        runtime = app.state["framework_m"]

        async def make_user() -> None:
            await runtime.auth.identity.create_user("ops@example.com", "long enough pw")

        with client.portal() as portal:
            portal.call(make_user)
        login = client.post(
            "/api/v1/auth/login", json={"email": "ops@example.com", "password": "long enough pw"}
        )
        assert login.status_code == 200, login.text
        session_cookie = next(
            c for c in login.headers.get_list("set-cookie") if c.startswith("fm_session=")
        )
        assert "Secure" in session_cookie
        assert "HttpOnly" in session_cookie


async def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    settings = _settings(tmp_path, environment="production", auto_sync_schema=True)
    with pytest.raises(BootstrapError, match="secret_key is required in production"):
        async with Bootstrap(settings):
            pass
