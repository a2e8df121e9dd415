"""``Webhook``: an outgoing HTTP call made for every matching document event.

The listener (``framework_m_standard.adapters.webhooks``) turns each ``doc.*`` event into one
delivery job per enabled webhook whose event, DocType filter and condition match. Deliveries
are signed with ``secret`` (HMAC-SHA256); the secret is never returned by the API: it is
generated on insert and shown once by the ``rotate_secret`` action.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from framework_m_core.doctypes.user import ADMIN_ROLE
from framework_m_core.domain.base_doctype import BaseDocType

WebhookEvent = Literal[
    "doc.created", "doc.updated", "doc.deleted", "doc.submitted", "doc.cancelled"
]
WebhookMethod = Literal["POST", "PUT"]

_URL = r"^https?://[^\s/?#]+[^\s]*$"


class Webhook(BaseDocType):
    event: WebhookEvent
    """The document event that triggers a delivery."""
    doctype_filter: str | None = Field(default=None, max_length=140, pattern=r"^[A-Za-z_]\w*$")
    """Only events of this DocType (every DocType when empty)."""
    url: str = Field(max_length=2000, pattern=_URL)
    """The receiver's endpoint: an ``http://`` or ``https://`` URL."""
    method: WebhookMethod = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra request headers (an ``Authorization`` for the receiver, ...)."""
    secret: str | None = Field(default=None, max_length=256)
    """HMAC-SHA256 key of the ``X-Framework-M-Signature`` header; never leaves the server."""
    enabled: bool = True
    condition: str | None = Field(default=None, max_length=2000)
    """An expression over the document's fields (``status == "Open" and total > 100``),
    evaluated without ``eval``; the event is delivered only when it is true."""
    payload_template: str | None = Field(default=None, max_length=20_000)
    """A Jinja2 template (sandboxed) rendering the JSON body; the standard body when empty."""
    timeout: float = Field(default=30.0, gt=0, le=120)
    """Seconds to wait for the receiver's answer."""
    max_retries: int = Field(default=3, ge=0, le=10)
    """Deliveries tried again after a failure, with exponential backoff."""

    @field_validator("headers")
    @classmethod
    def _check_headers(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, item in value.items():
            if not key or any(c in key for c in " :\r\n\t") or len(key) > 256:
                raise ValueError(f"invalid header name {key!r}")
            if any(c in str(item) for c in "\r\n") or len(str(item)) > 8192:
                raise ValueError(f"invalid value for header {key!r}")
            if key.lower().startswith("x-framework-m-"):
                raise ValueError(f"header {key!r} is set by the delivery itself")
        return value

    @field_validator("condition", "payload_template")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None

    class Meta:
        naming = "prompt"
        title_field = "name"
        search_fields = ("url",)
        sensitive_fields = ("secret",)
        indexes = (("event", "enabled"),)
        permissions = {
            "read": [ADMIN_ROLE],
            "write": [ADMIN_ROLE],
            "create": [ADMIN_ROLE],
            "delete": [ADMIN_ROLE],
        }
