"""``WebhookLog``: one attempt to deliver one event to one webhook.

Written by the delivery job (clients read them; only administrators may change them): status
``Retrying`` while attempts remain, ``Failed`` after the last one, ``Success`` on a 2xx.
``event_payload`` keeps the event so the retry action can deliver it again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from framework_m_core.doctypes.user import ADMIN_ROLE
from framework_m_core.domain.base_doctype import BaseDocType, utcnow

WebhookLogStatus = Literal["Success", "Failed", "Retrying"]


class WebhookLog(BaseDocType):
    webhook: UUID
    """The id of the Webhook that was delivered."""
    webhook_name: str = Field(default="", max_length=140)
    event: str = Field(max_length=40)
    """``doc.created`` ... the event type."""
    event_id: str = Field(max_length=64)
    """The id of the event, sent as ``X-Framework-M-Delivery`` (receivers dedupe by it)."""
    doctype: str = Field(default="", max_length=140)
    document_id: str = Field(default="", max_length=64)
    attempt: int = Field(default=1, ge=1)
    status: WebhookLogStatus
    url: str = Field(default="", max_length=2000)
    request_body: str = ""
    """What was sent, truncated."""
    response_code: int | None = None
    response_body: str = ""
    """What the receiver answered, truncated."""
    error: str | None = None
    duration_ms: float | None = None
    timestamp: datetime = Field(default_factory=utcnow)
    event_payload: dict[str, Any] = Field(default_factory=dict)
    """The event delivered (type, id, timestamp, data), for retries."""

    class Meta:
        title_field = "event"
        indexes = (("webhook", "timestamp"), ("event_id",))
        permissions = {
            "read": [ADMIN_ROLE],
            "delete": [ADMIN_ROLE],
        }
