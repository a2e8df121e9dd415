"""The delivery job: one signed HTTP call of one event to one webhook, logged per attempt.

``framework_m.webhooks.deliver`` loads the webhook, renders the body (the standard payload or
the webhook's template), signs it and sends it with httpx. Every attempt writes a
``WebhookLog``. A non-2xx answer or a network error raises, so the job queue tries again
after its exponential backoff; the log of such an attempt says ``Retrying`` while attempts
remain and ``Failed`` after the last. A webhook's ``max_retries`` caps the attempts below the
job's own limit (``MAX_ATTEMPTS``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import httpx

from framework_m_core.doctypes.webhook import Webhook
from framework_m_core.doctypes.webhook_log import WebhookLog, WebhookLogStatus
from framework_m_core.jobs import JobContext, job
from framework_m_standard.adapters.webhooks.payload import PayloadError, render_body
from framework_m_standard.adapters.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    WEBHOOK_HEADER,
    sign,
)

logger = logging.getLogger("framework_m.webhooks")

DELIVER_JOB = "framework_m.webhooks.deliver"
MAX_RETRIES = 10
"""The job's retries: a webhook's ``max_retries`` (at most 10) stops earlier."""
LOG_BODY_LIMIT = 4096
"""Characters of the request and response bodies kept in a WebhookLog."""
USER_AGENT = "Framework-M-Webhooks/1"


class WebhookDeliveryError(RuntimeError):
    """The receiver did not accept the delivery (non-2xx, timeout, connection refused)."""


def truncate(text: str, limit: int = LOG_BODY_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more]"


def request_headers(webhook: Webhook, event: Mapping[str, Any], body: str) -> dict[str, str]:
    """The webhook's own headers, then the ones the delivery sets (they win)."""
    headers = dict(webhook.headers)
    headers.update(
        {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: str(event.get("type", "")),
            DELIVERY_HEADER: str(event.get("id", "")),
            WEBHOOK_HEADER: str(webhook.id),
        }
    )
    if webhook.secret:
        headers[SIGNATURE_HEADER] = sign(webhook.secret, body)
    return headers


async def _read_limited(response: httpx.Response, limit: int = LOG_BODY_LIMIT) -> str:
    data = b""
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) > limit:
            break
    return truncate(data.decode(errors="replace"), limit)


async def _load_webhook(ctx: JobContext, webhook_id: str) -> Webhook | None:
    async with ctx.unit_of_work(Webhook.get_meta().bind) as uow:
        found: Webhook | None = await ctx.repositories.get(Webhook).get(
            uow.session, UUID(webhook_id)
        )
        return found


async def _write_log(ctx: JobContext, log: WebhookLog) -> None:
    async with ctx.unit_of_work(WebhookLog.get_meta().bind) as uow:
        await ctx.repositories.get(WebhookLog).save(uow.session, log)
        await uow.commit()


@job(name=DELIVER_JOB, timeout=150, retries=MAX_RETRIES)
async def deliver(
    ctx: JobContext, *, webhook_id: str, event: dict[str, Any]
) -> dict[str, Any] | None:
    """Send ``event`` to the webhook; raises on failure so the queue retries with backoff."""
    webhook = await _load_webhook(ctx, webhook_id)
    if webhook is None or not webhook.enabled:
        logger.info(
            "webhook %s is gone or disabled: event %s not delivered", webhook_id, event.get("id")
        )
        return {"delivered": False, "reason": "webhook missing or disabled"}
    data: Mapping[str, Any] = event.get("data") or {}
    log = WebhookLog(
        webhook=webhook.id,
        webhook_name=webhook.name or "",
        event=str(event.get("type", ""))[:40],
        event_id=str(event.get("id", ""))[:64],
        doctype=str(data.get("doctype") or "")[:140],
        document_id=str(data.get("id") or "")[:64],
        attempt=ctx.attempt,
        status="Retrying",
        url=webhook.url,
        event_payload=dict(event),
    )
    # The webhook's own limit, never more than the queue will give.
    last_attempt = min(webhook.max_retries + 1, ctx.max_attempts)
    final = ctx.attempt >= last_attempt
    try:
        body = render_body(event, template=webhook.payload_template, webhook_name=log.webhook_name)
    except PayloadError as exc:
        # The same template fails the same way next time: no retry.
        log.status, log.error = "Failed", str(exc)
        await _write_log(ctx, log)
        return {"delivered": False, "status": "Failed", "error": str(exc)}
    log.request_body = truncate(body)
    started = time.perf_counter()
    error: str | None = None
    try:
        async with (
            httpx.AsyncClient(timeout=webhook.timeout, follow_redirects=False) as client,
            client.stream(
                webhook.method,
                webhook.url,
                content=body.encode(),
                headers=request_headers(webhook, event, body),
            ) as response,
        ):
            log.response_code = response.status_code
            log.response_body = await _read_limited(response)
        if not 200 <= response.status_code < 300:
            error = f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    log.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    status: WebhookLogStatus = "Success" if error is None else ("Failed" if final else "Retrying")
    log.status, log.error = status, error
    await _write_log(ctx, log)
    if error is None:
        return {"delivered": True, "status": status, "response_code": log.response_code}
    if final and ctx.attempt < ctx.max_attempts:
        # The webhook's retries are spent before the queue's: stop here.
        return {"delivered": False, "status": status, "error": error}
    raise WebhookDeliveryError(f"Delivery to {webhook.url} failed: {error}")
