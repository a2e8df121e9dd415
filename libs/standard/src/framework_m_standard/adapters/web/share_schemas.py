"""Models of the share API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from framework_m_core.doctypes.document_share import DocumentShare


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doctype: str = Field(min_length=1, max_length=140)
    document_id: UUID
    user_id: str = Field(min_length=1, max_length=140)
    read: bool = True
    write: bool = False
    share: bool = False


class ShareRead(BaseModel):
    id: UUID
    doctype: str
    document_id: UUID
    user_id: str
    read: bool
    write: bool
    share: bool
    owner: str | None = None


def share_json(share: DocumentShare) -> dict[str, Any]:
    return ShareRead.model_validate(share, from_attributes=True).model_dump(mode="json")
