"""``User``: a local account (email + argon2id password hash), its roles, teams and attributes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from framework_m_core.domain.base_doctype import BaseDocType

ADMIN_ROLE = "System Manager"


class User(BaseDocType):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    full_name: str | None = Field(default=None, max_length=140)
    password_hash: str | None = None
    enabled: bool = True
    roles: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    tenants: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    """ABAC claims (department, level, ...) handed to permission checks."""
    last_login: datetime | None = None

    @field_validator("email")
    @classmethod
    def _normalise_email(cls, value: str) -> str:
        # Sign-in compares lower-case addresses; store them so.
        return value.strip().lower()

    class Meta:
        naming = "field:email"
        unique_together = (("email",),)
        title_field = "full_name"
        search_fields = ("email", "full_name")
        sensitive_fields = ("password_hash",)
        permissions = {
            "read": [ADMIN_ROLE],
            "write": [ADMIN_ROLE],
            "create": [ADMIN_ROLE],
            "delete": [ADMIN_ROLE],
        }
