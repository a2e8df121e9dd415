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
        """The user as permission checks see it: key scopes travel as an ABAC attribute and the
        request's tenant comes first."""
        update: dict[str, object] = {}
        if self.scopes is not None:
            update["attributes"] = {**self.user.attributes, "scopes": list(self.scopes)}
        if self.tenant is not None:
            # The request's tenant first: policy requests name the first tenant as theirs.
            current = self.tenant.tenant_id
            update["tenants"] = [current, *(t for t in self.user.tenants if t != current)]
        return self.user.model_copy(update=update) if update else self.user
