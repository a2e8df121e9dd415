"""Row-level security over real HTTP: owner and team RLS, shares, hidden fields, RPC on documents.

Alice and Bob have the same role. Neither reaches the other's documents through any path,
until one shares a document with the other: then exactly that user gets exactly that access.
"""

from __future__ import annotations

import httpx
import pytest
from live_server import LiveServer


@pytest.fixture
def alices_note(live_server: LiveServer) -> dict[str, str]:
    with live_server.client("alice") as client:
        response = client.post("/api/v1/Note", json={"title": "alice private"})
        assert response.status_code == 201
        return dict(response.json())


def _ids(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {doc["id"] for doc in response.json()["data"]}


def test_nobody_reaches_another_users_document(
    live_server: LiveServer, alices_note: dict[str, str]
) -> None:
    note_id = alices_note["id"]
    with live_server.client("bob") as bob:
        assert note_id not in _ids(bob.get("/api/v1/Note", params={"limit": 1000}))
        filtered = bob.get("/api/v1/Note", params={"filters": f'[["id", "=", "{note_id}"]]'})
        assert _ids(filtered) == set()
        count = bob.get("/api/v1/Note/count", params={"filters": f'[["id", "=", "{note_id}"]]'})
        assert count.json()["count"] == 0
        assert bob.get(f"/api/v1/Note/{note_id}").status_code == 403
        assert bob.put(f"/api/v1/Note/{note_id}", json={"title": "mine"}).status_code == 403
        assert bob.delete(f"/api/v1/Note/{note_id}").status_code == 403
        bulk = bob.post(
            "/api/v1/Note/bulk/update", json={"ids": [note_id], "data": {"title": "mine"}}
        )
        assert bulk.json()["count"] == 0
        bulk_delete = bob.post("/api/v1/Note/bulk/delete", json={"filters": {"id": note_id}})
        assert bulk_delete.json()["count"] == 0
        share = bob.post(
            "/api/v1/share",
            json={
                "doctype": "Note",
                "document_id": note_id,
                "user_id": live_server.user_ids["bob"],
            },
        )
        assert share.status_code == 403
        assert bob.get(f"/api/v1/Note/{note_id}/shares").status_code == 403
        rpc = bob.post("/api/v1/rpc/Note/summary", json={"id": note_id})
        assert rpc.status_code == 403
    with live_server.client("alice") as alice:
        doc = alice.get(f"/api/v1/Note/{note_id}").json()
        assert doc["title"] == "alice private"
        assert doc["_version"] == 0


def test_a_share_gives_exactly_that_user_exactly_that_access(
    live_server: LiveServer, alices_note: dict[str, str]
) -> None:
    note_id = alices_note["id"]
    bob_id = live_server.user_ids["bob"]
    with live_server.client("alice") as alice:
        shared = alice.post(
            "/api/v1/share", json={"doctype": "Note", "document_id": note_id, "user_id": bob_id}
        )
        assert shared.status_code == 201, shared.text
        share = shared.json()
        assert (share["read"], share["write"]) == (True, False)
        listed = alice.get(f"/api/v1/Note/{note_id}/shares").json()
        assert [s["user_id"] for s in listed] == [bob_id]
    with live_server.client("bob") as bob:
        assert bob.get(f"/api/v1/Note/{note_id}").status_code == 200
        assert note_id in _ids(bob.get("/api/v1/Note", params={"limit": 1000}))
        assert bob.post("/api/v1/rpc/Note/summary", json={"id": note_id}).json() == {
            "result": "alice private"
        }
        # Read, not write: no update, delete, bulk change or re-sharing.
        assert bob.put(f"/api/v1/Note/{note_id}", json={"title": "bob"}).status_code == 403
        assert bob.delete(f"/api/v1/Note/{note_id}").status_code == 403
        bulk = bob.post(
            "/api/v1/Note/bulk/update", json={"ids": [note_id], "data": {"title": "bob"}}
        )
        assert bulk.json()["count"] == 0
        assert bob.post("/api/v1/rpc/Note/bump", json={"id": note_id}).status_code == 403
        reshare = bob.post(
            "/api/v1/share",
            json={
                "doctype": "Note",
                "document_id": note_id,
                "user_id": live_server.user_ids["carol"],
            },
        )
        assert reshare.status_code == 403
    with live_server.client("carol") as carol:
        assert carol.get(f"/api/v1/Note/{note_id}").status_code == 403
    with live_server.client("alice") as alice:
        upgraded = alice.post(
            "/api/v1/share",
            json={"doctype": "Note", "document_id": note_id, "user_id": bob_id, "write": True},
        )
        assert upgraded.json()["id"] == share["id"]
    with live_server.client("bob") as bob:
        edit = bob.put(f"/api/v1/Note/{note_id}", json={"title": "edited by bob"})
        assert edit.status_code == 200, edit.text
        assert edit.json()["owner"] == live_server.user_ids["alice"]
        assert bob.post("/api/v1/rpc/Note/bump", json={"id": note_id}).json() == {"result": 1}
        # Removing a share is for its creator, the owner or an admin.
        assert bob.delete(f"/api/v1/share/{share['id']}").status_code == 403
    with live_server.client("alice") as alice:
        assert alice.delete(f"/api/v1/share/{share['id']}").status_code == 204
    with live_server.client("bob") as bob:
        assert bob.get(f"/api/v1/Note/{note_id}").status_code == 403


def test_team_rls_and_admin_bypass(live_server: LiveServer) -> None:
    with live_server.client("alice") as alice:
        red = alice.post("/api/v1/Project", json={"title": "red work", "team": "red"}).json()
    with live_server.client("carol") as carol:  # also in team red
        assert carol.get(f"/api/v1/Project/{red['id']}").status_code == 200
    with live_server.client("bob") as bob:  # team blue
        assert bob.get(f"/api/v1/Project/{red['id']}").status_code == 403
        assert red["id"] not in _ids(bob.get("/api/v1/Project"))
    with live_server.client("admin") as admin:
        assert admin.get(f"/api/v1/Project/{red['id']}").status_code == 200


def test_roles_decide_before_rows(live_server: LiveServer, alices_note: dict[str, str]) -> None:
    with live_server.client("outsider") as outsider:
        assert outsider.get("/api/v1/Note").status_code == 403
        assert outsider.post("/api/v1/Note", json={"title": "x"}).status_code == 403
        assert outsider.get("/api/meta/Note").status_code == 403
        assert "Note" not in {d["doctype"] for d in outsider.get("/api/meta").json()}
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        response = anonymous.get("/api/v1/Note")
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "not_authenticated"


def test_fields_a_role_may_not_see_are_removed_and_unwritable(live_server: LiveServer) -> None:
    with live_server.client("hr") as hr:
        doc = hr.post("/api/v1/Note", json={"title": "pay", "salary": 100}).json()
        assert doc["salary"] == 100
        shared = hr.post(
            "/api/v1/share",
            json={
                "doctype": "Note",
                "document_id": doc["id"],
                "user_id": live_server.user_ids["bob"],
            },
        )
        assert shared.status_code == 201
    with live_server.client("bob") as bob:
        seen = bob.get(f"/api/v1/Note/{doc['id']}").json()
        assert "salary" not in seen
        assert bob.get(f"/api/v1/Note/{doc['id']}", params={"fields": "salary"}).status_code == 400
        probe = bob.get("/api/v1/Note", params={"filters": '[["salary", ">", 50]]'})
        assert probe.status_code == 400
        assert bob.post("/api/v1/Note", json={"title": "x", "salary": 1}).status_code == 422


def test_custom_permissions_change_access_at_once(live_server: LiveServer) -> None:
    with live_server.client("outsider") as outsider:
        assert outsider.get("/api/v1/Customer").status_code == 403
    with live_server.client("admin") as admin:
        rule = admin.post(
            "/api/v1/CustomPermission",
            json={"doctype": "Customer", "role": "Visitor", "action": "read"},
        )
        assert rule.status_code == 201, rule.text
    with live_server.client("outsider") as outsider:
        assert outsider.get("/api/v1/Customer").status_code == 200
        assert outsider.post("/api/v1/Customer", json={"customer_name": "No"}).status_code == 403
    with live_server.client("admin") as admin:
        revoke = admin.post(
            "/api/v1/CustomPermission",
            json={"doctype": "Customer", "role": "Employee", "action": "delete", "allow": False},
        )
        assert revoke.status_code == 201
        assert admin.delete(f"/api/v1/CustomPermission/{rule.json()['id']}").status_code == 204
    with live_server.client("outsider") as outsider:
        assert outsider.get("/api/v1/Customer").status_code == 403
    with live_server.client("alice") as alice:
        customer = alice.post("/api/v1/Customer", json={"customer_name": "Kept"}).json()
        assert alice.delete(f"/api/v1/Customer/{customer['id']}").status_code == 403
    with live_server.client("bob") as bob:
        assert bob.get("/api/v1/CustomPermission").status_code == 403
