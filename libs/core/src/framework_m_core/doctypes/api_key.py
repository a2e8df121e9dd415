"""``ApiKey``: a long-lived credential for scripts. Only the SHA-256 of the secret is stored."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from framework_m_core.domain.base_doctype import BaseDocType


class ApiKey(BaseDocType):
    key_hash: str = Field(max_length=128)
    user_id: str = Field(max_length=140)
    label: str = Field(default="", max_length=140)
    scopes: list[str] = Field(default_factory=list)
    """``read``, ``write``, ``Invoice:read``, ``*:create`` ...; empty means the user's full rights."""
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    class Meta:
        api_resource = False
        sensitive_fields = ("key_hash",)
        indexes = (("user_id",),)
