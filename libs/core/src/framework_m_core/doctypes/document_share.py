"""``DocumentShare``: one document made visible (and optionally editable) to one more user."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from framework_m_core.domain.base_doctype import BaseDocType


class DocumentShare(BaseDocType):
    doctype: str = Field(max_length=140)
    document_id: UUID
    user_id: str = Field(max_length=140)
    read: bool = True
    write: bool = False
    share: bool = False
    """Whether the user may share the document further."""

    class Meta:
        api_resource = False
        unique_together = (("doctype", "document_id", "user_id"),)
        indexes = (("user_id", "doctype"),)
