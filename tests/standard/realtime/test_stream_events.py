"""Document events over ``WS /api/v1/stream`` across two API processes behind NATS.

A document saved through process A reaches a client connected to process B when, and only
when, that client's user may read the document: role permission, row-level security
(``Note`` is owner-scoped) and shares, applied per subscriber; hidden fields are left out.
Absence is proven by order: the denied client's next message is a later event it may read.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from cluster import Cluster, connect, nothing_within, receive, request
from websockets.asyncio.client import ClientConnection

pytestmark = pytest.mark.slow


def _http(servers: Cluster, index: int, user: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=servers.servers[index].base_url,
        headers={"Authorization": f"Bearer {servers.token(user)}"},
        timeout=30,
    )


async def _create(servers: Cluster, user: str, title: str, **extra: Any) -> dict[str, Any]:
    async with _http(servers, 0, user) as client:
        response = await client.post("/api/v1/Note", json={"title": title, **extra})
        assert response.status_code == 201, response.text
        return dict(response.json())


async def _update(servers: Cluster, user: str, id: str, **values: Any) -> None:
    async with _http(servers, 0, user) as client:
        response = await client.put(f"/api/v1/Note/{id}", json=values)
        assert response.status_code == 200, response.text


async def _event_about(ws: ClientConnection, id: str) -> dict[str, Any]:
    message = await receive(ws)
    assert message["type"] == "event", message
    assert message["id"] == id, message
    return message


async def _subscribed(ws: ClientConnection, **target: str) -> None:
    ack = await request(ws, action="subscribe", **target)
    assert ack["type"] == "ack", ack


async def test_a_save_on_a_reaches_readers_on_b_and_nobody_else(servers: Cluster) -> None:
    async with (
        connect(servers.ws_url(1, "alice")) as alice,
        connect(servers.ws_url(1, "bob")) as bob,
        connect(servers.ws_url(1, "admin")) as admin,
    ):
        for ws in (alice, bob, admin):
            await _subscribed(ws, doctype="Note")
        note = await _create(servers, "alice", "alice's plan")
        mine = await _event_about(alice, note["id"])
        assert mine["event"] == "doc.created"
        assert mine["doctype"] == "Note"
        assert mine["doc"]["title"] == "alice's plan"
        assert mine["doc"]["owner"] == servers.user_ids["alice"]
        assert "salary" not in mine["doc"]  # hidden from alice (HR only), as in her GET
        seen_by_admin = await _event_about(admin, note["id"])
        assert "salary" in seen_by_admin["doc"]
        # Bob may not read alice's note: his next message is about his own, later note.
        await nothing_within(bob, 0.5)
        own = await _create(servers, "bob", "bob's plan")
        assert (await _event_about(bob, own["id"]))["doc"]["title"] == "bob's plan"
        await _event_about(admin, own["id"])
        # Alice hears about her update and, from the pre-delete data, her delete.
        await _update(servers, "alice", note["id"], title="alice's plan v2")
        updated = await _event_about(alice, note["id"])
        assert (updated["event"], updated["doc"]["title"]) == ("doc.updated", "alice's plan v2")
        async with _http(servers, 0, "alice") as client:
            assert (await client.delete(f"/api/v1/Note/{note['id']}")).status_code in (200, 204)
        deleted = await _event_about(alice, note["id"])
        assert deleted["event"] == "doc.deleted"
        assert "doc" not in deleted
        await _event_about(admin, note["id"])
        await _event_about(admin, note["id"])
        later = await _create(servers, "bob", "bob again")
        assert (await _event_about(bob, later["id"]))["event"] == "doc.created"


async def test_a_share_opens_the_stream_and_its_removal_closes_it(servers: Cluster) -> None:
    bob_id = servers.user_ids["bob"]
    async with connect(servers.ws_url(1, "bob")) as bob:
        await _subscribed(bob, doctype="Note")
        note = await _create(servers, "alice", "shared later")
        # Not shared yet: bob cannot even subscribe to that one document.
        refused = await request(bob, action="subscribe", doctype="Note", id=note["id"])
        assert (refused["type"], refused["code"]) == ("error", "permission_denied")
        async with _http(servers, 0, "alice") as client:
            shared = await client.post(
                "/api/v1/share",
                json={"doctype": "Note", "document_id": note["id"], "user_id": bob_id},
            )
            assert shared.status_code == 201, shared.text
        await _update(servers, "alice", note["id"], title="now shared")
        seen = await _event_about(bob, note["id"])
        assert (seen["event"], seen["doc"]["title"]) == ("doc.updated", "now shared")
        await _subscribed(bob, doctype="Note", id=note["id"])
        async with _http(servers, 0, "alice") as client:
            removed = await client.delete(f"/api/v1/share/{shared.json()['id']}")
            assert removed.status_code in (200, 204), removed.text
        await _update(servers, "alice", note["id"], title="private again")
        own = await _create(servers, "bob", "bob's own")
        assert (await _event_about(bob, own["id"]))["doc"]["title"] == "bob's own"


async def test_a_document_subscription_gets_only_that_document(servers: Cluster) -> None:
    first = await _create(servers, "alice", "first")
    second = await _create(servers, "alice", "second")
    async with connect(servers.ws_url(1, "alice")) as alice:
        await _subscribed(alice, doctype="Note", id=first["id"])
        await _update(servers, "alice", second["id"], title="second v2")
        await _update(servers, "alice", first["id"], title="first v2")
        got = await _event_about(alice, first["id"])
        assert got["doc"]["title"] == "first v2"
