"""``Actor``: who acts, in which tenant, through which credentials."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.tenant import TenantContext


@dataclass(frozen=True)
class Actor:
    """The principal of one operation.

    ``tenant`` is None in single-tenant use (no isolation); ``scopes`` limits an API key to
    some actions (None: the user's full rights).
    """

    user: UserContext
    tenant: TenantContext | None = None
    scopes: tuple[str, ...] | None = None

    @cached_property
    def permission_user(self) -> UserContext:
        """The user as permission checks see it: key scopes travel as an ABAC attribute."""
        if self.scopes is None:
            return self.user
        return self.user.model_copy(
            update={"attributes": {**self.user.attributes, "scopes": list(self.scopes)}}
        )
