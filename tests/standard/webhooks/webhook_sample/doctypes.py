"""``Ticket``: the document the webhook tests create, update and delete."""

from __future__ import annotations

from pydantic import Field

from framework_m_core.domain.base_doctype import BaseDocType


class Ticket(BaseDocType):
    title: str = Field(max_length=140)
    tag: str = Field(default="", max_length=64)
    """Each test marks its tickets so its webhooks' conditions select only them."""
    status: str = Field(default="Open", max_length=20)
    total: float = 0.0

    class Meta:
        permissions = {
            "read": ["Agent"],
            "write": ["Agent"],
            "create": ["Agent"],
            "delete": ["Agent"],
        }
