"""Auth context port: who is making the current request (or running the current job).

``UserContext`` is built by the auth chain from the request and passed explicitly to
permission checks; it carries roles, tenants, teams and free ABAC attributes.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, Self

from pydantic import BaseModel, Field, model_validator

SYSTEM_ROLE = "System"


class UserContext(BaseModel):
    """The principal of a request. ``attributes`` holds ABAC claims (``department``, ``level``)."""

    SYSTEM_USER_ID: ClassVar[str] = "system"

    id: str
    email: str
    name: str | None = None
    roles: list[str] = Field(default_factory=list)
    tenants: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    is_system_user: bool = False
    attributes: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _system_flag_matches_role(self) -> Self:
        # One truth for "is this the system": the flag and the System role always agree.
        if self.is_system_user and SYSTEM_ROLE not in self.roles:
            self.roles = [*self.roles, SYSTEM_ROLE]
        elif not self.is_system_user and self.has_role(SYSTEM_ROLE):
            self.is_system_user = True
        return self

    def has_role(self, role: str) -> bool:
        """Whether the user has the role, in ``roles`` or in ``attributes["roles"]``."""
        if role in self.roles:
            return True
        extra = self.attributes.get("roles")
        return isinstance(extra, list | tuple | set | frozenset) and role in extra

    def get_attribute(self, key: str, default: Any = None) -> Any:
        """One ABAC attribute, or ``default``."""
        return self.attributes.get(key, default)

    def has_attribute(self, key: str, value: Any) -> bool:
        """Whether the ABAC attribute ``key`` equals ``value``."""
        return key in self.attributes and self.attributes[key] == value

    @classmethod
    def system(cls, *, tenants: list[str] | None = None) -> UserContext:
        """The principal of background jobs and elevated operations (audited as ``system``)."""
        return cls(
            id=cls.SYSTEM_USER_ID,
            email="system@localhost",
            name="System",
            roles=[SYSTEM_ROLE],
            tenants=list(tenants or []),
            is_system_user=True,
        )


class AuthContextProtocol(Protocol):
    async def get_current_user(self) -> UserContext:
        """The user of the current request or task; raises when nobody is authenticated."""
        ...
