"""Multi-tenant mode over real HTTP: X-Tenant-ID is required, checked, and isolates rows."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from live_server import LiveServer, serve

from service_support import DATABASES


@pytest.fixture(scope="module", params=DATABASES)
def tenant_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("tenant-site")
    with serve(request.param, root, extra_env={"FRAMEWORK_M_TENANCY__MODE": "multi"}) as server:
        yield server


def _client(server: LiveServer, user: str, tenant: str | None) -> httpx.Client:
    headers = {"X-Tenant-ID": tenant} if tenant else {}
    return server.client(user, headers=headers)


def test_tenant_header_is_required_and_checked(tenant_server: LiveServer) -> None:
    with _client(tenant_server, "alice", None) as client:
        missing = client.get("/api/v1/Ticket")
        assert missing.status_code == 422
        assert "X-Tenant-ID" in missing.json()["error"]["message"]
    with _client(tenant_server, "alice", "globex") as client:
        assert client.get("/api/v1/Ticket").status_code == 403


def test_rows_are_isolated_per_tenant(tenant_server: LiveServer) -> None:
    with _client(tenant_server, "alice", "acme") as alice:
        created = alice.post("/api/v1/Ticket", json={"subject": "printer"})
        assert created.status_code == 201, created.text
        ticket = created.json()
        assert ticket["tenant_id"] == "acme"
        foreign = alice.post("/api/v1/Ticket", json={"subject": "x", "tenant_id": "globex"})
        assert foreign.status_code == 403
    with _client(tenant_server, "carol", "acme") as carol_acme:
        assert carol_acme.get(f"/api/v1/Ticket/{ticket['id']}").status_code == 200
        moved = carol_acme.put(f"/api/v1/Ticket/{ticket['id']}", json={"tenant_id": "globex"})
        assert moved.status_code == 403
    with _client(tenant_server, "carol", "globex") as carol_globex:
        # Same user, other tenant: the ticket does not exist there.
        assert carol_globex.get(f"/api/v1/Ticket/{ticket['id']}").status_code == 404
        listed = carol_globex.get("/api/v1/Ticket").json()["data"]
        assert ticket["id"] not in {t["id"] for t in listed}
    with _client(tenant_server, "bob", "globex") as bob:
        assert bob.delete(f"/api/v1/Ticket/{ticket['id']}").status_code == 404
