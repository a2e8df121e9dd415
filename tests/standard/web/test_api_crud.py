"""Auto-CRUD over real HTTP: create, read, update, delete, list, count, submit/cancel, bulk."""

from __future__ import annotations

from live_server import LiveServer


def test_create_sets_owner_and_returns_201(live_server: LiveServer) -> None:
    with live_server.client("alice") as client:
        response = client.post("/api/v1/Note", json={"title": "first", "priority": 2})
        assert response.status_code == 201, response.text
        doc = response.json()
        assert doc["owner"] == live_server.user_ids["alice"]
        assert doc["title"] == "first"
        assert doc["_version"] == 0
        assert "salary" not in doc  # field permission: only HR sees it
        read = client.get(f"/api/v1/Note/{doc['id']}")
        assert read.status_code == 200
        assert read.json() == doc


def test_create_refuses_server_owned_fields(live_server: LiveServer) -> None:
    with live_server.client("alice") as client:
        response = client.post("/api/v1/Note", json={"title": "x", "owner": "someone-else"})
        assert response.status_code == 422
        assert response.json()["error"]["type"] == "validation_error"


def test_update_merges_and_checks_version(live_server: LiveServer) -> None:
    with live_server.client("alice") as client:
        doc = client.post("/api/v1/Note", json={"title": "merge me", "body": "keep"}).json()
        updated = client.put(f"/api/v1/Note/{doc['id']}", json={"priority": 5, "_version": 0})
        assert updated.status_code == 200, updated.text
        assert updated.json()["body"] == "keep"
        assert updated.json()["priority"] == 5
        assert updated.json()["_version"] == 1
        stale = client.put(f"/api/v1/Note/{doc['id']}", json={"priority": 6, "_version": 0})
        assert stale.status_code == 409
        assert stale.json()["error"]["type"] == "version_conflict"
        assert client.get(f"/api/v1/Note/{doc['id']}").json()["priority"] == 5


def test_delete_returns_204_then_404(live_server: LiveServer) -> None:
    with live_server.client("alice") as client:
        doc = client.post("/api/v1/Note", json={"title": "bye"}).json()
        assert client.delete(f"/api/v1/Note/{doc['id']}").status_code == 204
        missing = client.get(f"/api/v1/Note/{doc['id']}")
        assert missing.status_code == 404
        assert missing.json()["error"]["type"] == "not_found"
        assert client.delete(f"/api/v1/Note/{doc['id']}").status_code == 404


def test_list_filters_fields_order_and_pages(live_server: LiveServer) -> None:
    with live_server.client("carol") as client:
        for i in range(5):
            client.post("/api/v1/Note", json={"title": f"page-{i}", "priority": i})
        page = client.get(
            "/api/v1/Note",
            params={
                "filters": '[["title", "like", "page-%"], ["priority", ">=", 1]]',
                "fields": "title,priority",
                "order_by": "priority desc",
                "limit": 2,
                "offset": 1,
                "with_total": "true",
            },
        )
        assert page.status_code == 200, page.text
        body = page.json()
        assert [d["priority"] for d in body["data"]] == [3, 2]
        assert set(body["data"][0]) == {"id", "title", "priority"}
        assert body["total"] == 4
        assert body["has_more"] is True
        assert (body["limit"], body["offset"]) == (2, 1)
        # The version travels when asked for: a list that edits inline needs it.
        versioned = client.get("/api/v1/Note", params={"fields": "title,_version", "limit": 1})
        assert set(versioned.json()["data"][0]) == {"id", "title", "_version"}
        one = versioned.json()["data"][0]
        got = client.get(f"/api/v1/Note/{one['id']}", params={"fields": "_version"})
        assert got.json() == {"id": one["id"], "_version": one["_version"]}
        # The total costs a second query: only when asked for.
        assert client.get("/api/v1/Note", params={"limit": 1}).json()["total"] is None
        count = client.get("/api/v1/Note/count", params={"filters": '{"status": "open"}'})
        assert count.json()["count"] >= 5
        assert count.json()["exact"] is True


def test_submitted_documents_are_immutable(live_server: LiveServer) -> None:
    with live_server.client("alice") as client:
        customer = client.post("/api/v1/Customer", json={"customer_name": "Acme"}).json()
        order = client.post(
            "/api/v1/Order",
            json={
                "customer": customer["id"],
                "lines": [{"item": "bolt", "qty": 3, "rate": "1.50"}, {"item": "nut"}],
            },
        )
        assert order.status_code == 201, order.text
        doc = order.json()
        assert doc["name"].startswith("ORD-")
        assert doc["customer"] == customer["id"]  # a Link carries the id, never the document
        assert [line["item"] for line in doc["lines"]] == ["bolt", "nut"]
        assert doc["lines"][0]["rate"] == "1.50"
        submitted = client.post(f"/api/v1/Order/{doc['id']}/submit")
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["docstatus"] == 1
        edit = client.put(f"/api/v1/Order/{doc['id']}", json={"notes": "too late"})
        assert edit.status_code == 409
        assert edit.json()["error"]["type"] == "document_immutable"
        assert client.delete(f"/api/v1/Order/{doc['id']}").status_code == 409
        cancelled = client.post(f"/api/v1/Order/{doc['id']}/cancel")
        assert cancelled.json()["docstatus"] == 2


def test_child_tables_have_no_routes_of_their_own(live_server: LiveServer) -> None:
    with live_server.client("admin") as client:
        assert client.get("/api/v1/OrderLine").status_code == 404
        assert client.get("/api/meta/OrderLine").status_code == 404


def test_bulk_update_and_delete(live_server: LiveServer) -> None:
    with live_server.client("alice") as client:
        ids = [
            client.post("/api/v1/Note", json={"title": f"bulk-{i}"}).json()["id"] for i in range(3)
        ]
        updated = client.post(
            "/api/v1/Note/bulk/update",
            json={"filters": [["title", "like", "bulk-%"]], "data": {"status": "done"}},
        )
        assert updated.status_code == 200, updated.text
        assert sorted(updated.json()["ids"]) == sorted(ids)
        assert {client.get(f"/api/v1/Note/{i}").json()["status"] for i in ids} == {"done"}
        deleted = client.post("/api/v1/Note/bulk/delete", json={"ids": ids[:2]})
        assert deleted.json()["count"] == 2
        assert client.get(f"/api/v1/Note/{ids[0]}").status_code == 404
        assert client.get(f"/api/v1/Note/{ids[2]}").status_code == 200
        refused = client.post("/api/v1/Note/bulk/delete", json={})
        assert refused.status_code == 422


def test_duplicate_names_conflict(live_server: LiveServer) -> None:
    with live_server.client("alice") as client:
        first = client.post("/api/v1/Customer", json={"customer_name": "Twice Ltd"})
        assert first.status_code == 201
        second = client.post("/api/v1/Customer", json={"customer_name": "Twice Ltd"})
        assert second.status_code == 409
        assert second.json()["error"]["type"] == "duplicate_name"
