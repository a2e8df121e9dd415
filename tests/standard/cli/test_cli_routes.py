"""``m routes``: every route with the permission it needs, and the server agrees with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import m, ok, seed_users, signed_in, start, write_app_checkout

pytestmark = pytest.mark.slow

WEB_SAMPLE = Path(__file__).resolve().parents[1] / "web" / "sample_site"
SAMPLE_ENV = {"PYTHONPATH": str(WEB_SAMPLE), "FRAMEWORK_M_APPS": '["web_sample"]'}


def test_table_lists_crud_routes_with_their_permission(tmp_path: Path) -> None:
    out = ok(tmp_path, "routes", env=SAMPLE_ENV)
    rows = {tuple(line.split(maxsplit=2)) for line in out.splitlines() if line.strip()}
    assert ("METHOD", "PATH", "PERMISSION") in rows
    for row in [
        ("GET", "/healthz", "public"),
        ("POST", "/api/v1/auth/login", "public"),
        ("GET", "/api/v1/auth/me", "signed in"),
        ("GET", "/api/v1/Note", "Note:read"),
        ("POST", "/api/v1/Note", "Note:create"),
        ("GET", "/api/v1/Note/{doc_id}", "Note:read"),
        ("PUT", "/api/v1/Note/{doc_id}", "Note:write"),
        ("DELETE", "/api/v1/Note/{doc_id}", "Note:delete"),
        ("POST", "/api/v1/Note/bulk/update", "Note:write"),
        ("POST", "/api/v1/Order/{doc_id}/submit", "Order:submit"),
        ("POST", "/api/v1/Order/{doc_id}/cancel", "Order:cancel"),
        ("GET", "/api/meta/{doctype}", "{doctype}:read"),
    ]:
        assert row in rows, row
    assert "OpenAPI: /schema/openapi.json" in out


def test_rpc_methods_and_functions_are_listed_with_their_rules(tmp_path: Path) -> None:
    lines = json.loads(ok(tmp_path, "routes", "--json", env=SAMPLE_ENV))
    rpc = {line["path"]: line["permission"] for line in lines if "/rpc/" in line["path"]}
    assert rpc["/api/v1/rpc/Note/summary"] == "Note:read"
    assert rpc["/api/v1/rpc/Note/bump"] == "Note:write"
    assert rpc["/api/v1/rpc/fn/web_sample.api.add"] == "signed in"
    assert rpc["/api/v1/rpc/fn/web_sample.api.echo"] == "guests allowed"
    assert rpc["/api/v1/rpc/fn/web_sample.api.payroll"] == "role HR"
    assert rpc["/api/v1/rpc/fn/web_sample.api.whoami"] == "Order:read"
    assert "/api/v1/rpc/fn/web_sample.api.not_rpc" not in rpc


def test_doctype_filter_and_unknown_doctype(tmp_path: Path) -> None:
    lines = json.loads(ok(tmp_path, "routes", "--doctype", "Order", "--json", env=SAMPLE_ENV))
    assert lines
    assert all(line["permission"].startswith("Order:") for line in lines)
    result = m(tmp_path, "routes", "--doctype", "Nope", env=SAMPLE_ENV)
    assert result.returncode == 1
    assert result.stderr.strip() == "m: error: no DocType named 'Nope'"


def _concrete(path: str, doc_id: str) -> str:
    return path.replace("{doc_id}", doc_id)


def _body(path: str, method: str, doc_id: str) -> dict[str, object] | None:
    if path.endswith("/bulk/update"):
        return {"data": {"price": 2}, "ids": [doc_id]}
    if path.endswith("/bulk/delete"):
        return {"ids": [doc_id]}
    if method in ("POST", "PUT"):
        return {"title": "Chair"}
    return None


def test_the_server_enforces_the_listed_permissions(tmp_path: Path, database_url: str) -> None:
    """A Viewer may read Products only: every route listed as Product:read lets them in and
    every other Product route refuses them with 403, before anything changes."""
    root = write_app_checkout(tmp_path / "shop")
    lines = json.loads(ok(root, "routes", "--doctype", "Product", "--json"))
    assert {line["permission"].split()[0] for line in lines} == {
        "Product:read",
        "Product:create",
        "Product:write",
        "Product:delete",
    }
    seed_users(
        root,
        database_url,
        {"clerk@example.com": ["Clerk"], "viewer@example.com": ["Viewer"]},
    )
    server = start(root, env={"DATABASE_URL": database_url})
    try:
        with signed_in(server.base_url, "clerk@example.com") as clerk:
            doc_id = clerk.post("/api/v1/Product", json={"title": "Lamp"}).json()["id"]
        with signed_in(server.base_url, "viewer@example.com") as viewer:
            for line in lines:
                method, path = line["method"], _concrete(line["path"], doc_id)
                response = viewer.request(method, path, json=_body(path, method, doc_id))
                if line["permission"] == "Product:read":
                    assert response.status_code == 200, (line, response.text)
                else:
                    # Write routes, and the share list (read, but only for owner or admin).
                    assert response.status_code == 403, (line, response.text)
            lamp = viewer.get(f"/api/v1/Product/{doc_id}").json()
            assert (lamp["title"], lamp["price"]) == ("Lamp", 0)
    finally:
        assert server.stop() == 0
