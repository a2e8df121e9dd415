"""RPC (``@whitelist`` methods, ``@rpc`` functions) and the metadata API over real HTTP."""

from __future__ import annotations

import httpx
from live_server import LiveServer


def test_whitelisted_methods(live_server: LiveServer) -> None:
    with live_server.client("alice") as alice:
        note = alice.post("/api/v1/Note", json={"title": "rpc", "priority": 2}).json()
        called = alice.post(
            "/api/v1/rpc/Note/summary", json={"id": note["id"], "args": {"prefix": "> "}}
        )
        assert called.status_code == 200
        assert called.json() == {"result": "> rpc"}
        bumped = alice.post("/api/v1/rpc/Note/bump", json={"id": note["id"], "args": {"by": 3}})
        assert bumped.json() == {"result": 5}
        assert alice.get(f"/api/v1/Note/{note['id']}").json()["priority"] == 5
        assert alice.post("/api/v1/rpc/Note/ping", json={"args": {"n": 7}}).json() == {
            "result": {"pong": 7}
        }
        needs_doc = alice.post("/api/v1/rpc/Note/summary", json={})
        assert needs_doc.status_code == 422
    with live_server.client("outsider") as outsider:
        assert outsider.post("/api/v1/rpc/Note/ping", json={"args": {"n": 1}}).status_code == 403


def test_rpc_functions_permissions_and_guests(live_server: LiveServer) -> None:
    with live_server.client("alice") as alice:
        assert alice.post("/api/v1/rpc/fn/web_sample.api.add", json={"a": 2, "b": 3}).json() == {
            "result": 5
        }
        assert alice.post("/api/v1/rpc/fn/web_sample.api.whoami", json={}).json() == {
            "result": live_server.user_ids["alice"]
        }
        assert alice.post("/api/v1/rpc/fn/web_sample.api.payroll").status_code == 403
    with live_server.client("hr") as hr:
        assert hr.post("/api/v1/rpc/fn/web_sample.api.payroll").json() == {"result": "payroll"}
    with live_server.client("outsider") as outsider:
        # permission="Order:read": the Visitor role has no read on Order.
        assert outsider.post("/api/v1/rpc/fn/web_sample.api.whoami").status_code == 403
    with httpx.Client(base_url=live_server.base_url) as guest:
        echoed = guest.post("/api/v1/rpc/fn/web_sample.api.echo", json={"message": "hi"})
        assert echoed.json() == {"result": {"message": "hi"}}
        assert guest.post("/api/v1/rpc/fn/web_sample.api.add", json={"a": 1}).status_code == 401


def test_metadata_describes_schema_layout_labels_and_my_permissions(
    live_server: LiveServer,
) -> None:
    with live_server.client("alice") as alice:
        meta = alice.get("/api/meta/Note")
        assert meta.status_code == 200
        body = meta.json()
        assert body["doctype"] == "Note"
        assert body["title_field"] == "title"
        assert body["layout"]["sections"][0]["fields"] == ["title", "body", "priority"]
        assert body["schema"]["properties"]["title"]["maxLength"] == 140
        assert "salary" not in body["schema"]["properties"]
        fields = {f["name"]: f for f in body["fields"]}
        assert fields["title"]["label"] == "Title"
        assert fields["title"]["description"] == "What it is about"
        assert fields["title"]["required"] is True
        assert fields["body"]["label"] == "Body"
        assert "salary" not in fields
        assert body["permissions"]["read"] is True
        assert body["permissions"]["amend"] is False
        listing = {d["doctype"] for d in alice.get("/api/meta").json()}
        assert {"Note", "Order", "Customer", "Project"} <= listing
        assert "User" not in listing
    with live_server.client("hr") as hr:
        assert "salary" in hr.get("/api/meta/Note").json()["schema"]["properties"]
    with live_server.client("admin") as admin:
        assert "User" in {d["doctype"] for d in admin.get("/api/meta").json()}
        user_meta = admin.get("/api/meta/User").json()
        assert "password_hash" not in user_meta["schema"]["properties"]
        users = admin.get("/api/v1/User").json()["data"]
        assert users
        assert all("password_hash" not in u for u in users)


def test_health_and_docs(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        assert anonymous.get("/healthz").json() == {"status": "ok"}
        assert anonymous.get("/readyz").json() == {"status": "ok"}


def test_user_emails_are_unique_and_lower_case(live_server: LiveServer) -> None:
    with live_server.client("admin") as admin:
        created = admin.post("/api/v1/User", json={"email": "New.Person@Example.com"})
        assert created.status_code == 201, created.text
        assert created.json()["email"] == "new.person@example.com"
        twin = admin.post("/api/v1/User", json={"email": "NEW.PERSON@example.com"})
        assert twin.status_code == 409
        other = admin.post("/api/v1/User", json={"email": "other.person@example.com"}).json()
        clash = admin.put(f"/api/v1/User/{other['id']}", json={"email": "new.person@example.com"})
        assert clash.status_code == 409
        assert clash.json()["error"]["type"] in ("integrity_error", "duplicate_name", "conflict")
