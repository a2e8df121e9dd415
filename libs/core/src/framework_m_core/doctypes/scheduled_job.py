"""``ScheduledJob``: run a job on a cron schedule, configured at runtime instead of in code.

``function`` is a registered job name (``@job(name=...)``) or the dotted path of a ``@job``
function; ``cron_expression`` has five fields, or six with seconds first.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from framework_m_core.doctypes.user import ADMIN_ROLE
from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.jobs import check_cron


class ScheduledJob(BaseDocType):
    function: str = Field(min_length=1, max_length=240)
    cron_expression: str = Field(min_length=1, max_length=120)
    enabled: bool = True
    last_run: datetime | None = None
    next_run: datetime | None = None

    @field_validator("cron_expression")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        return check_cron(value)

    class Meta:
        naming = "prompt"
        title_field = "function"
        search_fields = ("function",)
        permissions = {
            "read": [ADMIN_ROLE],
            "write": [ADMIN_ROLE],
            "create": [ADMIN_ROLE],
            "delete": [ADMIN_ROLE],
        }
