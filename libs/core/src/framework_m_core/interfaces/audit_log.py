"""Audit log port: an append-only record of who did what to which document.

Indie deployments write ``ActivityLog`` rows; larger ones write JSON lines for a log
pipeline, keeping the main database small.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from framework_m_core.domain.ids import uuid7


def _new_entry_id() -> str:
    return str(uuid7())


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AuditEntry(BaseModel):
    """One audited action. ``changes``: field -> ``{"old": ..., "new": ...}``."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=_new_entry_id)
    timestamp: datetime = Field(default_factory=_utc_now)
    user_id: str
    action: str
    doctype: str
    document_id: str
    changes: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None


class AuditLogProtocol(Protocol):
    async def log(
        self,
        user_id: str,
        action: str,
        doctype: str,
        document_id: str,
        *,
        changes: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Record one action; the stored entry."""
        ...

    async def query(
        self,
        *,
        user_id: str | None = None,
        action: str | None = None,
        doctype: str | None = None,
        document_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """Entries matching every given filter, newest first."""
        ...
