"""The webhook retry action: ``POST /api/v1/rpc/WebhookLog/retry`` with ``{"id": <log id>}``.

It enqueues the delivery of that log's event to its webhook again, as a new job whose
attempts write new WebhookLogs. The caller needs read on the log (404 when it may not see
it) and write on Webhook (403). A log whose delivery is still being retried, or whose
webhook is gone or disabled, is a 409. It sits on the RPC path because it is the
WebhookLog's action; a static path wins over the generic ``/api/v1/rpc/{doctype}/{method}``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.params import JSONBody

from framework_m_core.doctypes.webhook import Webhook
from framework_m_core.doctypes.webhook_log import WebhookLog
from framework_m_core.exceptions import BootstrapError, ConflictError, ValidationError
from framework_m_core.interfaces.repository import FilterSpec, OrderSpec
from framework_m_core.jobs import enqueue_as
from framework_m_standard.adapters.web.errors import ERROR_RESPONSES
from framework_m_standard.adapters.web.job_routes import JOBS_STATE_KEY
from framework_m_standard.adapters.web.responses import json_response
from framework_m_standard.adapters.web.rpc_routes import MethodCall
from framework_m_standard.adapters.web.runtime import get_runtime
from framework_m_standard.adapters.web.security import actor_of
from framework_m_standard.adapters.webhooks.delivery import DELIVER_JOB

_ERRORS = {code: ERROR_RESPONSES[code] for code in (400, 401, 403, 404, 409, 422, 429)}


class WebhookStateError(ConflictError):
    """The delivery cannot be retried now (still retrying, webhook gone or disabled)."""

    code = "webhook_state"


@post(
    "/api/v1/rpc/WebhookLog/retry",
    tags=["rpc", "webhooks"],
    opt={
        "permission": "Webhook:write",
        "permission_note": "read on the WebhookLog and write on Webhook; 409 while retrying",
    },
    operation_id="retryWebhookDelivery",
    status_code=200,
    responses=_ERRORS,
)
async def retry_delivery(
    request: Request[Any, Any, Any], data: JSONBody[MethodCall]
) -> Response[Any]:
    """Deliver a logged event to its webhook again (a new delivery job)."""
    runtime, actor = get_runtime(request), actor_of(request)
    documents = runtime.documents
    if data.id is None:
        raise ValidationError("WebhookLog.retry runs on a log; give its id")
    log = await documents.get_for(actor, WebhookLog, data.id, "read")
    await documents.authorize(actor, Webhook, "write")
    async with documents.unit_of_work(Webhook.get_meta().bind) as uow:
        webhook = await documents.repositories.get(Webhook).get(uow.session, log.webhook)
        latest = await documents.repositories.get(WebhookLog).list(
            uow.session,
            [
                FilterSpec(field="webhook", value=log.webhook),
                FilterSpec(field="event_id", value=log.event_id),
            ],
            [OrderSpec(field="timestamp", direction="desc")],
            limit=1,
            with_total=False,
        )
    if webhook is None:
        raise WebhookStateError("The webhook of this log no longer exists", id=str(log.webhook))
    if not webhook.enabled:
        raise WebhookStateError(f"Webhook {webhook.name!r} is disabled; enable it first")
    if latest.items and latest.items[0].status == "Retrying":
        raise WebhookStateError("This delivery is still being retried")
    queue = request.app.state.get(JOBS_STATE_KEY)
    if queue is None:
        raise BootstrapError("The job queue has not started")
    with enqueue_as(actor.user):
        job_id = await queue.enqueue(
            DELIVER_JOB, webhook_id=str(webhook.id), event=dict(log.event_payload)
        )
    return json_response(
        {"result": {"job_id": job_id, "event_id": log.event_id, "webhook": str(webhook.id)}}
    )


WEBHOOK_HANDLERS = [retry_delivery]
