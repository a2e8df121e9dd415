"""``JobLog``: one background job run, from enqueue to its end (one row per job id).

The queue adapters write it as the system: Queued on enqueue, Running at each attempt's
start, Success or Failed at the end (Queued again between retries), Cancelled when a queued
job is cancelled. Only administrators read it through the jobs API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from framework_m_core.doctypes.user import ADMIN_ROLE
from framework_m_core.domain.base_doctype import BaseDocType

JobLogStatus = Literal["Queued", "Running", "Success", "Failed", "Cancelled"]
FINISHED_STATUSES: frozenset[str] = frozenset({"Success", "Failed", "Cancelled"})


class JobLog(BaseDocType):
    job_id: str = Field(max_length=64)
    """The job's id (the same as the document ``id``); a redelivered job keeps it."""
    job_name: str = Field(max_length=240)
    status: JobLogStatus = "Queued"
    enqueued_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    not_before: datetime | None = None
    """When a retry may start (after its backoff)."""
    attempt: int = 0
    """The attempt running or last run (1-based; 0 while the first one waits)."""
    max_attempts: int = 1
    error: str | None = None
    result: dict[str, Any] | None = None
    """What the job returned (a non-dict result is kept as ``{"value": ...}``)."""
    kwargs: dict[str, Any] = Field(default_factory=dict)
    user: str | None = Field(default=None, max_length=140)
    """Id of the user who enqueued the job; None for system runs (schedules)."""
    schedule: str | None = Field(default=None, max_length=240)
    """The schedule whose tick started this run, if any."""

    class Meta:
        api_resource = False
        title_field = "job_name"
        search_fields = ("job_name",)
        indexes = (("status",), ("job_name",), ("enqueued_at",))
        unique_together = (("job_id",),)
        permissions = {
            "read": [ADMIN_ROLE],
            "write": [ADMIN_ROLE],
            "create": [ADMIN_ROLE],
            "delete": [ADMIN_ROLE],
        }
