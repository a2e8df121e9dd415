"""Webhooks end to end: documents saved over HTTP reach a signing-checking receiver.

Each site runs the real chain in one process: the API (uvicorn on a loopback port), the
outbox relay, the event bus, the webhook listener, the job queue and the delivery job. It
runs on SQLite and PostgreSQL over NATS JetStream, and on SQLite with the in-process bus and
queue (the embedded default). Each test marks its tickets with a tag and its webhooks'
conditions select that tag, so tests sharing a site never see each other's deliveries.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from hooks_api import create_webhook, disable, rotate_secret, webhook_logs
from live_site import BACKOFF, LiveSite, eventually, running_site
from receiver import Receiver

from service_support import create_pg_database, drop_pg_database, pg_url

pytestmark = pytest.mark.asyncio(loop_scope="module")

SITES = [
    pytest.param(("sqlite", True), id="sqlite-nats"),
    pytest.param(("postgresql", True), id="postgresql-nats", marks=pytest.mark.postgres),
    pytest.param(("sqlite", False), id="sqlite-memory"),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=SITES)
async def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveSite]:
    database, nats = request.param
    root = tmp_path_factory.mktemp("webhooks")
    pg_name = None
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{root / 'site.db'}"
    else:
        pg_name = await create_pg_database()
        url = pg_url(pg_name)
    try:
        async with running_site(url, root, nats=nats) as live:
            yield live
    finally:
        if pg_name is not None:
            await drop_pg_database(pg_name)


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:12]


async def test_failing_receiver_is_retried_with_growing_delay_until_it_recovers(
    site: LiveSite, receiver: Receiver, tag: str
) -> None:
    async with site.client() as admin, site.client("agent") as agent:
        webhook = await create_webhook(
            admin,
            url=receiver.url,
            doctype_filter="Ticket",
            condition=f'tag == "{tag}"',
            max_retries=3,
        )
        secret = await rotate_secret(admin, webhook["id"])
        receiver.reset(secret=secret, fail_first=3)
        ticket = await agent.post("/api/v1/Ticket", json={"title": "Printer on fire", "tag": tag})
        assert ticket.status_code == 201, ticket.text
        calls = await receiver.wait_for(4, within=40)

        # Every delivery is signed with the webhook's secret and carries the same event id.
        assert all(call.signature_valid for call in calls), [c.headers for c in calls]
        assert [call.status for call in calls] == [500, 500, 500, 200]
        assert len({call.headers["X-Framework-M-Delivery"] for call in calls}) == 1
        # The queue waits longer after each failure (exponential backoff).
        gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(calls)]
        assert gaps[0] >= BACKOFF * 0.9, gaps
        assert gaps[0] < gaps[1] < gaps[2], gaps
        # The event arrives once the receiver recovers.
        payload = calls[-1].json()
        assert payload["event"] == "doc.created"
        assert payload["doctype"] == "Ticket"
        assert payload["id"] == ticket.json()["id"]
        assert payload["data"]["title"] == "Printer on fire"
        assert payload["data"]["tag"] == tag

        async def four_logs() -> list[dict[str, Any]] | None:
            found = await webhook_logs(admin, webhook["id"])
            return found if len(found) >= 4 else None

        logs = await eventually(four_logs, what="a WebhookLog per attempt")
        assert [(log["attempt"], log["status"]) for log in logs] == [
            (1, "Retrying"),
            (2, "Retrying"),
            (3, "Retrying"),
            (4, "Success"),
        ]
        assert [log["response_code"] for log in logs] == [500, 500, 500, 200]
        assert {log["event_id"] for log in logs} == {calls[0].headers["X-Framework-M-Delivery"]}
        assert all(log["document_id"] == ticket.json()["id"] for log in logs)
        await disable(admin, webhook)
        # No delivery was made for the WebhookLog writes themselves.
        assert len(receiver.calls) == 4


async def test_event_doctype_condition_enabled_and_template(
    site: LiveSite, receiver: Receiver, tag: str
) -> None:
    async with site.client() as admin, site.client("agent") as agent:
        receiver.reset(secret=None)
        url = receiver.url
        cond = f'tag == "{tag}"'
        expensive = await create_webhook(
            admin,
            url=url + "/expensive",
            doctype_filter="Ticket",
            condition=cond + " and total > 100",
        )
        other_doctype = await create_webhook(admin, url=url + "/user", doctype_filter="User")
        disabled = await create_webhook(
            admin, url=url + "/disabled", doctype_filter="Ticket", condition=cond, enabled=False
        )
        updated = await create_webhook(
            admin,
            url=url + "/updated",
            event="doc.updated",
            doctype_filter="Ticket",
            condition=cond,
        )
        templated = await create_webhook(
            admin,
            url=url + "/templated",
            method="PUT",
            doctype_filter="Ticket",
            condition=cond,
            headers={"Authorization": "Bearer receiver-token"},
            payload_template=(
                '{"text": {{ ("New " ~ doctype ~ ": " ~ doc.title) | tojson }},'
                ' "total": {{ doc.total }}, "event": {{ event.event | tojson }}}'
            ),
        )
        secrets = {}
        for webhook in (expensive, other_doctype, disabled, updated, templated):
            secrets[webhook["id"]] = await rotate_secret(admin, webhook["id"])
        cheap = await agent.post("/api/v1/Ticket", json={"title": "cheap", "tag": tag, "total": 5})
        dear = await agent.post("/api/v1/Ticket", json={"title": "dear", "tag": tag, "total": 500})
        assert cheap.status_code == dear.status_code == 201
        changed = await agent.put(f"/api/v1/Ticket/{cheap.json()['id']}", json={"status": "Done"})
        assert changed.status_code == 200
        # Expected: expensive once (dear), templated twice (both), updated once (cheap).
        calls = await receiver.wait_for(4, within=30)
        by_path: dict[str, list[Any]] = {}
        for call in calls:
            by_path.setdefault(call.path, []).append(call)
        assert sorted(by_path) == ["/hook/expensive", "/hook/templated", "/hook/updated"]
        [dear_call] = by_path["/hook/expensive"]
        assert dear_call.json()["data"]["title"] == "dear"
        assert dear_call.headers["X-Framework-M-Event"] == "doc.created"
        [update_call] = by_path["/hook/updated"]
        assert update_call.headers["X-Framework-M-Event"] == "doc.updated"
        assert update_call.json()["data"]["status"] == "Done"
        bodies = sorted((c.json() for c in by_path["/hook/templated"]), key=lambda b: b["total"])
        assert bodies == [
            {"text": "New Ticket: cheap", "total": 5.0, "event": "doc.created"},
            {"text": "New Ticket: dear", "total": 500.0, "event": "doc.created"},
        ]
        assert all(c.method == "PUT" for c in by_path["/hook/templated"])
        assert all(
            c.headers["Authorization"] == "Bearer receiver-token"
            for c in by_path["/hook/templated"]
        )
        # Each delivery verifies with its own webhook's secret.
        from framework_m_standard.adapters.webhooks.signing import verify

        for call in calls:
            secret = secrets[call.headers["X-Framework-M-Webhook"]]
            assert verify(secret, call.headers["X-Framework-M-Signature"], call.body)
        # A later document proves nothing else was on its way (events are handled in order).
        last = await create_webhook(
            admin,
            url=url + "/last",
            doctype_filter="Ticket",
            condition=cond + ' and title == "last"',
        )
        await agent.post("/api/v1/Ticket", json={"title": "last", "tag": tag})
        await receiver.wait_for(6, within=30)
        assert sorted(c.path for c in receiver.calls[4:]) == ["/hook/last", "/hook/templated"]
        await disable(admin, expensive, other_doctype, updated, templated, last)


async def test_bad_condition_or_template_is_422_and_secret_never_returned(
    site: LiveSite, receiver: Receiver
) -> None:
    async with site.client() as admin, site.client("agent") as agent:
        url = receiver.url
        for bad in ("status.__class__", "[x for x in items]", 'open("/etc/passwd")', "a ==", "_x"):
            response = await admin.post(
                "/api/v1/Webhook",
                json={
                    "name": f"bad-{uuid.uuid4().hex[:6]}",
                    "event": "doc.created",
                    "url": url,
                    "condition": bad,
                },
            )
            assert response.status_code == 422, (bad, response.text)
            assert response.json()["error"]["details"]
        response = await admin.post(
            "/api/v1/Webhook",
            json={
                "name": "bad-template",
                "event": "doc.created",
                "url": url,
                "payload_template": "{{ ",
            },
        )
        assert response.status_code == 422, response.text
        for field, value in (
            ("url", "ftp://example.com/x"),
            ("method", "GET"),
            ("event", "doc.renamed"),
        ):
            response = await admin.post(
                "/api/v1/Webhook",
                json={"name": "bad-field", "event": "doc.created", "url": url, field: value},
            )
            assert response.status_code == 422, (field, response.text)
        # A client may not set the secret through CRUD: it is not a field of the API.
        response = await admin.post(
            "/api/v1/Webhook",
            json={"name": "with-secret", "event": "doc.created", "url": url, "secret": "abc"},
        )
        assert response.status_code == 422

        webhook = await create_webhook(admin, url=url, enabled=False)
        good = await admin.put(f"/api/v1/Webhook/{webhook['id']}", json={"condition": "x =="})
        assert good.status_code == 422
        secret = await rotate_secret(admin, webhook["id"])
        chosen = "receiver-chosen-secret-0123456789"
        rotated = await admin.post(
            "/api/v1/rpc/Webhook/rotate_secret",
            json={"id": webhook["id"], "args": {"secret": chosen}},
        )
        assert rotated.json() == {"result": {"secret": chosen}}
        short = await admin.post(
            "/api/v1/rpc/Webhook/rotate_secret", json={"id": webhook["id"], "args": {"secret": "x"}}
        )
        assert short.status_code == 422
        texts = [
            (await admin.get(f"/api/v1/Webhook/{webhook['id']}")).text,
            (await admin.get("/api/v1/Webhook", params={"limit": 1000})).text,
            (await admin.put(f"/api/v1/Webhook/{webhook['id']}", json={"enabled": False})).text,
            (await admin.get("/api/meta/Webhook")).text,
            json.dumps(webhook),
        ]
        for text in texts:
            assert secret not in text
            assert chosen not in text
            assert '"secret"' not in text
        # Webhooks and their logs are for administrators only.
        assert (await agent.get("/api/v1/Webhook")).status_code == 403
        assert (await agent.get("/api/v1/WebhookLog")).status_code == 403
        denied = await agent.post(
            "/api/v1/Webhook", json={"name": "mine", "event": "doc.created", "url": url}
        )
        assert denied.status_code == 403
        assert (
            await agent.post(
                "/api/v1/rpc/Webhook/rotate_secret", json={"id": webhook["id"], "args": {}}
            )
        ).status_code == 403


async def test_retry_action_redelivers_a_failed_event(
    site: LiveSite, receiver: Receiver, tag: str
) -> None:
    async with site.client() as admin, site.client("agent") as agent:
        webhook = await create_webhook(
            admin,
            url=receiver.url,
            doctype_filter="Ticket",
            condition=f'tag == "{tag}"',
            max_retries=0,
        )
        secret = await rotate_secret(admin, webhook["id"])
        receiver.reset(secret=secret, fail_first=1)
        ticket = await agent.post("/api/v1/Ticket", json={"title": "retry me", "tag": tag})
        assert ticket.status_code == 201

        async def failed_log() -> list[dict[str, Any]] | None:
            found = await webhook_logs(admin, webhook["id"])
            return found if found and found[-1]["status"] == "Failed" else None

        [failed] = await eventually(failed_log, what="the Failed WebhookLog")
        assert failed["attempt"] == 1
        assert failed["response_code"] == 500

        denied = await agent.post("/api/v1/rpc/WebhookLog/retry", json={"id": failed["id"]})
        assert denied.status_code == 403
        missing = await admin.post("/api/v1/rpc/WebhookLog/retry", json={"id": str(uuid.uuid4())})
        assert missing.status_code == 404
        assert missing.json()["error"]["type"]
        no_id = await admin.post("/api/v1/rpc/WebhookLog/retry", json={})
        assert no_id.status_code == 422
        async with httpx.AsyncClient(base_url=site.base_url) as nobody:
            anonymous = await nobody.post("/api/v1/rpc/WebhookLog/retry", json={"id": failed["id"]})
        assert anonymous.status_code == 401

        retried = await admin.post("/api/v1/rpc/WebhookLog/retry", json={"id": failed["id"]})
        assert retried.status_code == 200, retried.text
        assert retried.json()["result"]["event_id"] == failed["event_id"]
        calls = await receiver.wait_for(2)
        assert [c.status for c in calls] == [500, 200]
        assert all(c.signature_valid for c in calls)
        assert calls[1].headers["X-Framework-M-Delivery"] == failed["event_id"]
        assert calls[1].json()["data"]["title"] == "retry me"

        async def success_log() -> list[dict[str, Any]] | None:
            found = await webhook_logs(admin, webhook["id"])
            return found if len(found) == 2 and found[-1]["status"] == "Success" else None

        await eventually(success_log, what="the Success WebhookLog of the retry")

        await disable(admin, webhook)
        conflict = await admin.post("/api/v1/rpc/WebhookLog/retry", json={"id": failed["id"]})
        assert conflict.status_code == 409
        assert "disabled" in conflict.json()["error"]["message"]


async def test_its_own_logs_never_trigger_a_webhook(
    site: LiveSite, receiver: Receiver, tag: str
) -> None:
    async with site.client() as admin, site.client("agent") as agent:
        receiver.reset(secret=None)
        name = f"catch-all-{tag}"
        # Every DocType; the condition also matches this webhook's own WebhookLogs, so any
        # delivery of a log would show up here (and would loop: each delivery logs again).
        webhook = await create_webhook(
            admin,
            name=name,
            url=receiver.url,
            condition=f'tag == "{tag}" or webhook_name == "{name}"',
        )
        for title in ("first", "second"):
            assert (
                await agent.post("/api/v1/Ticket", json={"title": title, "tag": tag})
            ).status_code == 201

        async def two_logs() -> list[dict[str, Any]] | None:
            found = await webhook_logs(admin, webhook["id"])
            return found if len(found) >= 2 else None

        await eventually(two_logs, what="the logs of both deliveries")
        # Events are handled in order: once the third ticket arrives, the logs' events are past.
        await agent.post("/api/v1/Ticket", json={"title": "third", "tag": tag})
        calls = await receiver.wait_for(3)
        assert [call.json()["doctype"] for call in calls] == ["Ticket"] * 3
        titles = [call.json()["data"]["title"] for call in calls]
        assert sorted(titles[:2]) == ["first", "second"]
        assert titles[2] == "third"
        await disable(admin, webhook)
