"""Outbox entries: side effects recorded in the same transaction as the document change.

A worker (the events issue) reads pending entries after commit and delivers them, so an
event exists if and only if its transaction committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from framework_m_core.domain.base_doctype import utcnow
from framework_m_core.domain.ids import uuid7

OutboxStatus = Literal["pending", "handed", "processed", "failed"]
"""``handed``: unpublished, written where a relay publishes it straight after the commit."""


class OutboxEntry(BaseModel):
    id: UUID = Field(default_factory=uuid7)
    target: str
    """Where the entry goes: ``events`` for document events, or e.g. ``api.payment_gateway``."""
    payload: dict[str, Any]
    status: OutboxStatus = "pending"
    created_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = None
    error_message: str | None = None
    retry_count: int = 0
