"""The delivery job against a real HTTP receiver on loopback, on SQLite and PostgreSQL.

The job function is called as the queue would call it (a JobContext per attempt), so each
outcome of one attempt is checked: signature and headers, the WebhookLog it writes, and
whether it raises (the queue retries) or not.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from receiver import Receiver

from framework_m_core.doctypes.webhook import Webhook
from framework_m_core.doctypes.webhook_log import WebhookLog
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.interfaces.repository import FilterSpec, OrderSpec
from framework_m_core.jobs import JobContext
from framework_m_standard.adapters.webhooks.delivery import (
    DELIVER_JOB,
    WebhookDeliveryError,
    deliver,
)
from framework_m_standard.adapters.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    WEBHOOK_HEADER,
)

SECRET = "whsec_delivery-test-secret"

pytestmark = pytest.mark.asyncio(loop_scope="module")


def event(event_id: str = "evt-1", **data: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "doc.created",
        "timestamp": "2026-11-21T10:00:00+00:00",
        "data": {
            "type": "doc.created",
            "doctype": "Ticket",
            "id": "0199-doc",
            "name": "TKT-1",
            "user": "u1",
            "data": {"title": "Printer", **data},
        },
    }


def job_context(site: BootstrapContext, attempt: int, max_attempts: int = 4) -> JobContext:
    database = site.state["database"]
    now = datetime.now(UTC)
    return JobContext(
        job_id=f"job-{attempt}",
        name=DELIVER_JOB,
        attempt=attempt,
        max_attempts=max_attempts,
        enqueued_at=now,
        started_at=now,
        settings=site.settings,
        repositories=database.repositories,
        unit_of_work=database.unit_of_work,
    )


async def save_webhook(site: BootstrapContext, **values: Any) -> Webhook:
    database = site.state["database"]
    name = f"hook-{uuid.uuid4().hex[:8]}"
    webhook = Webhook(**{"name": name, "event": "doc.created", "secret": SECRET, **values})
    async with database.unit_of_work() as uow:
        saved = await database.repositories.get(Webhook).save(uow.session, webhook)
        await uow.commit()
    return saved


async def logs(site: BootstrapContext, webhook: Webhook) -> list[WebhookLog]:
    """The logs of this webhook's deliveries, by attempt."""
    database = site.state["database"]
    async with database.unit_of_work() as uow:
        page = await database.repositories.get(WebhookLog).list(
            uow.session,
            [FilterSpec(field="webhook", value=webhook.id)],
            [OrderSpec(field="attempt")],
            limit=100,
        )
    return list(page.items)


async def test_success_is_signed_and_logged(
    data_site: BootstrapContext, receiver: Receiver
) -> None:
    receiver.reset(secret=SECRET)
    webhook = await save_webhook(data_site, url=receiver.url, headers={"Authorization": "Bearer x"})
    result = await deliver(job_context(data_site, 1), webhook_id=str(webhook.id), event=event())
    assert result == {"delivered": True, "status": "Success", "response_code": 200}
    [call] = receiver.calls
    assert call.signature_valid
    assert call.method == "POST"
    assert call.headers[EVENT_HEADER] == "doc.created"
    assert call.headers[DELIVERY_HEADER] == "evt-1"
    assert call.headers[WEBHOOK_HEADER] == str(webhook.id)
    assert call.headers["Authorization"] == "Bearer x"
    assert call.headers["Content-Type"] == "application/json"
    body = call.json()
    assert body["event"] == "doc.created"
    assert body["event_id"] == "evt-1"
    assert body["doctype"] == "Ticket"
    assert body["data"] == {"title": "Printer"}
    [log] = await logs(data_site, webhook)
    assert log.status == "Success"
    assert log.attempt == 1
    assert log.webhook == webhook.id
    assert log.event_id == "evt-1"
    assert log.doctype == "Ticket"
    assert log.document_id == "0199-doc"
    assert log.response_code == 200
    assert log.response_body == '{"ok": true}'
    assert json.loads(log.request_body) == body
    assert log.duration_ms is not None
    assert log.duration_ms > 0
    assert log.error is None
    assert log.event_payload == event()


async def test_failures_raise_until_the_last_attempt_then_fail(
    data_site: BootstrapContext, receiver: Receiver
) -> None:
    receiver.reset(secret=SECRET, fail_first=10)
    webhook = await save_webhook(data_site, url=receiver.url, max_retries=3)
    for attempt in (1, 2, 3, 4):
        with pytest.raises(WebhookDeliveryError, match="HTTP 500"):
            await deliver(
                job_context(data_site, attempt), webhook_id=str(webhook.id), event=event()
            )
    written = await logs(data_site, webhook)
    assert [(log.attempt, log.status) for log in written] == [
        (1, "Retrying"),
        (2, "Retrying"),
        (3, "Retrying"),
        (4, "Failed"),
    ]
    assert all(log.response_code == 500 and log.error == "HTTP 500" for log in written)
    assert all(call.signature_valid for call in receiver.calls)


async def test_webhook_max_retries_stops_before_the_queue(
    data_site: BootstrapContext, receiver: Receiver
) -> None:
    receiver.reset(secret=SECRET, fail_first=10)
    webhook = await save_webhook(data_site, url=receiver.url, max_retries=1)
    with pytest.raises(WebhookDeliveryError):
        await deliver(job_context(data_site, 1, 11), webhook_id=str(webhook.id), event=event())
    # Attempt 2 is the webhook's last: Failed, and no exception, so the queue stops too.
    result = await deliver(job_context(data_site, 2, 11), webhook_id=str(webhook.id), event=event())
    assert result is not None
    assert result["status"] == "Failed"
    assert [log.status for log in await logs(data_site, webhook)] == ["Retrying", "Failed"]


async def test_network_error_is_logged_and_retried(
    data_site: BootstrapContext, receiver: Receiver
) -> None:
    # A port nobody listens on: connection refused.
    webhook = await save_webhook(data_site, url="http://127.0.0.1:9/hook", timeout=2)
    with pytest.raises(WebhookDeliveryError, match="ConnectError"):
        await deliver(job_context(data_site, 1), webhook_id=str(webhook.id), event=event())
    [log] = await logs(data_site, webhook)
    assert log.status == "Retrying"
    assert log.response_code is None
    assert log.error is not None
    assert "ConnectError" in log.error


async def test_template_put_and_disabled(data_site: BootstrapContext, receiver: Receiver) -> None:
    receiver.reset(secret=SECRET)
    webhook = await save_webhook(
        data_site,
        url=receiver.url,
        method="PUT",
        payload_template='{"text": {{ ("New " ~ doctype ~ ": " ~ doc.title) | tojson }}}',
    )
    await deliver(job_context(data_site, 1), webhook_id=str(webhook.id), event=event())
    [call] = receiver.calls
    assert call.method == "PUT"
    assert call.signature_valid
    assert call.json() == {"text": "New Ticket: Printer"}

    disabled = await save_webhook(data_site, url=receiver.url, enabled=False)
    result = await deliver(job_context(data_site, 1), webhook_id=str(disabled.id), event=event())
    assert result is not None
    assert result["delivered"] is False
    assert len(receiver.calls) == 1


async def test_template_that_renders_no_json_fails_without_retry(
    data_site: BootstrapContext, receiver: Receiver
) -> None:
    webhook = await save_webhook(data_site, url=receiver.url, payload_template="x {{ doc.title }}")
    result = await deliver(job_context(data_site, 1), webhook_id=str(webhook.id), event=event())
    assert result is not None
    assert result["status"] == "Failed"
    [log] = await logs(data_site, webhook)
    assert log.status == "Failed"
    assert log.error is not None
    assert "JSON" in log.error
    assert receiver.calls == []
    database = data_site.state["database"]
    async with database.unit_of_work() as uow:
        count = await database.repositories.get(WebhookLog).count(
            uow.session, [FilterSpec(field="webhook", value=webhook.id)]
        )
    assert count == 1


async def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(
    data_site: BootstrapContext, receiver: Receiver
) -> None:
    receiver.reset(secret=SECRET, delay=1.5)
    webhook = await save_webhook(data_site, url=receiver.url, timeout=0.3)
    with pytest.raises(WebhookDeliveryError, match="Timeout"):
        await deliver(job_context(data_site, 1), webhook_id=str(webhook.id), event=event())
    [log] = await logs(data_site, webhook)
    assert log.status == "Retrying"
    assert log.error is not None
    assert "ReadTimeout" in log.error
    assert log.duration_ms is not None
    assert log.duration_ms < 1400
    assert Webhook(name="d", event="doc.created", url="http://x.test/").timeout == 30.0
