"""Document status for submittable DocTypes (Draft -> Submitted -> Cancelled)."""

from __future__ import annotations

from enum import IntEnum

from pydantic import BaseModel


class DocStatus(IntEnum):
    DRAFT = 0
    SUBMITTED = 1
    CANCELLED = 2


class SubmittableMixin(BaseModel):
    """Adds ``docstatus``; combine with ``BaseDocType`` and set ``Meta.is_submittable = True``."""

    docstatus: DocStatus = DocStatus.DRAFT

    def is_submitted(self) -> bool:
        return self.docstatus == DocStatus.SUBMITTED

    def is_cancelled(self) -> bool:
        return self.docstatus == DocStatus.CANCELLED

    def can_edit(self) -> bool:
        """Only drafts are editable; submitted and cancelled documents are frozen."""
        return self.docstatus == DocStatus.DRAFT
