"""``UserSession``: a browser login. Only the SHA-256 of the cookie value is stored."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from framework_m_core.domain.base_doctype import BaseDocType


class UserSession(BaseDocType):
    token_hash: str = Field(max_length=128)
    user_id: str = Field(max_length=140)
    expires_at: datetime
    csrf_token: str = Field(max_length=128)
    ip_address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    last_seen_at: datetime | None = None

    class Meta:
        api_resource = False
        sensitive_fields = ("token_hash", "csrf_token")
        indexes = (("token_hash",), ("user_id",))
