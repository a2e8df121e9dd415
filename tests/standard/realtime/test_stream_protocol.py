"""``WS /api/v1/stream`` over real HTTP: authentication, the JSON protocol and its limits,
and ``broadcast`` / ``send_to_user`` reaching clients of every API process through NATS."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
import websockets
from cluster import NATS_URL, Cluster, connect, nothing_within, receive, request
from websockets.exceptions import ConnectionClosed, InvalidStatus

from framework_m_standard.adapters.realtime import NatsSocket

pytestmark = pytest.mark.slow


async def _closed_with(ws: websockets.ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await ws.recv()
    return closed.value.rcvd.code if closed.value.rcvd is not None else None


async def test_unauthenticated_clients_are_closed_with_4401(servers: Cluster) -> None:
    async with websockets.connect(servers.ws_url(0)) as ws:
        assert await _closed_with(ws) == 4401
    async with websockets.connect(servers.ws_url(0) + "?token=not-a-token") as ws:
        assert await _closed_with(ws) == 4401


async def test_a_cookie_session_from_another_origin_is_refused(servers: Cluster) -> None:
    async with httpx.AsyncClient(base_url=servers.servers[0].base_url) as client:
        login = await client.post(
            "/api/v1/auth/login",
            json={"email": "alice@example.com", "password": "pw-alice-secret"},
        )
    cookie = "; ".join(f"{k}={v}" for k, v in login.cookies.items())
    headers = {"Cookie": cookie}
    async with connect(servers.ws_url(0), additional_headers=headers) as ws:
        assert (await request(ws, action="ping"))["type"] == "pong"
    evil = {"Cookie": cookie, "Origin": "https://evil.example"}
    async with websockets.connect(servers.ws_url(0), additional_headers=evil) as ws:
        assert await _closed_with(ws) == 4403


async def test_subscribe_acks_and_refusals(servers: Cluster) -> None:
    async with connect(servers.ws_url(1, "alice")) as ws:
        ack = await request(ws, action="subscribe", doctype="Note", ref=1)
        assert ack == {"type": "ack", "action": "subscribe", "doctype": "Note", "ref": 1}
        unknown = await request(ws, action="subscribe", doctype="NoSuchThing")
        assert (unknown["type"], unknown["code"]) == ("error", "not_found")
        missing = await request(ws, action="subscribe", doctype="Note", id=str(uuid.uuid4()))
        assert (missing["type"], missing["code"]) == ("error", "not_found")
        bad = await request(ws, action="subscribe", doctype="Note", id="nope")
        assert (bad["type"], bad["code"]) == ("error", "bad_message")
        assert (await request(ws, action="dance"))["code"] == "bad_message"
        await ws.send("not json")
        assert (await receive(ws))["code"] == "bad_message"
        assert (await request(ws, action="ping", ref="x")) == {"type": "pong", "ref": "x"}
        gone = await request(ws, action="unsubscribe", doctype="Note")
        assert gone["type"] == "ack"


async def test_a_doctype_the_user_cannot_read_is_an_error(servers: Cluster) -> None:
    async with connect(servers.ws_url(0, "outsider")) as ws:
        refused = await request(ws, action="subscribe", doctype="Note")
        assert (refused["type"], refused["code"]) == ("error", "permission_denied")


async def test_the_subscription_limit(servers: Cluster) -> None:
    async with connect(servers.ws_url(0, "alice")) as ws:
        for topic in ("a", "b", "c"):
            assert (await request(ws, action="subscribe", topic=topic))["type"] == "ack"
        again = await request(ws, action="subscribe", topic="a")
        assert again["type"] == "ack"
        over = await request(ws, action="subscribe", topic="d")
        assert (over["type"], over["code"]) == ("error", "too_many_subscriptions")


async def test_an_oversize_message_closes_with_1009(servers: Cluster) -> None:
    async with connect(servers.ws_url(0, "alice")) as ws:
        await ws.send(json.dumps({"action": "ping", "pad": "x" * 2000}))
        assert await _closed_with(ws) == 1009


async def test_server_pings_and_idle_clients_are_closed(servers: Cluster) -> None:
    async with connect(servers.ws_url(0, "alice")) as ws:
        # receive() answers the server's pings: the connection stays open past the timeout (3 s).
        await nothing_within(ws, 4.0)
        assert (await request(ws, action="ping"))["type"] == "pong"
    async with connect(servers.ws_url(0, "alice")) as silent:
        first = json.loads(await silent.recv())
        assert first == {"type": "ping"}
        assert await _closed_with(silent) == 4408


async def test_broadcast_and_send_to_user_cross_processes_through_nats(servers: Cluster) -> None:
    socket = NatsSocket(NATS_URL, prefix=f"{servers.prefix}.socket")
    await socket.start()
    try:
        async with (
            connect(servers.ws_url(0, "alice")) as alice_a,
            connect(servers.ws_url(1, "alice")) as alice_b,
            connect(servers.ws_url(1, "bob")) as bob_b,
        ):
            await request(bob_b, action="subscribe", topic="news")
            await request(alice_a, action="subscribe", topic="news")
            await socket.send_to_user(servers.user_ids["alice"], {"hello": "alice"})
            for ws in (alice_a, alice_b):
                assert await receive(ws) == {"type": "message", "data": {"hello": "alice"}}
            await socket.broadcast("news", {"headline": 1})
            expected = {"type": "message", "topic": "news", "data": {"headline": 1}}
            assert await receive(bob_b) == expected
            assert await receive(alice_a) == expected
            # alice_b did not subscribe to the topic, bob is not alice.
            await nothing_within(alice_b, 0.3)
    finally:
        await socket.stop()


async def test_http_upgrade_without_websocket_is_not_a_500(servers: Cluster) -> None:
    async with httpx.AsyncClient(base_url=servers.servers[0].base_url) as client:
        response = await client.get("/api/v1/stream")
    assert response.status_code < 500
    with pytest.raises(InvalidStatus):
        await websockets.connect(servers.ws_url(0).replace("/stream", "/nowhere"))
