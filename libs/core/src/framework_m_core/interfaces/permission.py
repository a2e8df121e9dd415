"""Permission port: may this principal do this action on this DocType (or document)?

Two forms of the same question. ``evaluate`` is the stateless policy form: everything the
decision needs travels in the request, so RBAC, ABAC (OPA/Cedar) and ReBAC adapters share it.
``has_permission`` is the convenience form built from a ``UserContext``. Row-level security
comes back as ``FilterSpec`` conditions the repository adds to every query.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.repository import Condition

PermissionAction = Literal["read", "write", "create", "delete", "submit", "cancel", "amend"]
PERMISSION_ACTIONS: frozenset[str] = frozenset(PermissionAction.__args__)  # type: ignore[attr-defined]


class DecisionSource(StrEnum):
    """Which mechanism made an authorization decision."""

    RBAC = "rbac"
    ABAC = "abac"
    REBAC = "rebac"
    COMBO = "combo"  # several mechanisms combined
    CUSTOM = "custom"  # CustomPermission rules stored in the database
    EXTERNAL = "external"  # a policy service (Cedar, OPA) called over the network


class PolicyEvaluateRequest(BaseModel):
    """A self-contained authorization question: no adapter needs to look anything up.

    ``resource`` is the DocType name; ``resource_id`` the document for object-level checks;
    ``principal_attributes`` carries roles, teams and ABAC claims; ``resource_attributes``
    the document's owner, status and fields; ``context`` the request (IP, time, device).
    """

    model_config = ConfigDict(frozen=True)

    principal: str
    action: PermissionAction
    resource: str
    resource_id: str | None = None
    tenant_id: str | None = None
    principal_attributes: dict[str, Any] = Field(default_factory=dict)
    resource_attributes: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def for_user(
        cls,
        user: UserContext,
        doctype: str,
        action: PermissionAction,
        *,
        resource_id: str | None = None,
        resource_attributes: Mapping[str, Any] | None = None,
        tenant_id: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> PolicyEvaluateRequest:
        """The request for ``user`` doing ``action`` on ``doctype`` (roles/teams in attributes)."""
        principal_attributes: dict[str, Any] = dict(user.attributes)
        roles = list(user.roles)
        extra_roles = principal_attributes.get("roles")
        if isinstance(extra_roles, list | tuple | set | frozenset):
            roles += [role for role in extra_roles if role not in roles]
        principal_attributes["roles"] = roles
        principal_attributes["teams"] = list(user.teams)
        principal_attributes["tenants"] = list(user.tenants)
        principal_attributes["is_system_user"] = user.is_system_user
        return cls(
            principal=user.id,
            action=action,
            resource=doctype,
            resource_id=resource_id,
            tenant_id=tenant_id if tenant_id is not None else next(iter(user.tenants), None),
            principal_attributes=principal_attributes,
            resource_attributes=dict(resource_attributes or {}),
            context=dict(context or {}),
        )


class PolicyEvaluateResult(BaseModel):
    """The answer, with where it came from and (for logs, never for end users) why."""

    model_config = ConfigDict(frozen=True)

    authorized: bool
    decision_source: DecisionSource
    reason: str | None = None


class PermissionProtocol(Protocol):
    async def evaluate(self, request: PolicyEvaluateRequest) -> PolicyEvaluateResult:
        """Decide a stateless authorization request."""
        ...

    async def has_permission(
        self,
        user: UserContext,
        doctype: str,
        action: PermissionAction,
        doc: Any | None = None,
    ) -> bool:
        """Whether ``user`` may do ``action`` on the DocType, or on ``doc`` when given."""
        ...

    async def get_permitted_filters(
        self, user: UserContext, doctype: str, action: PermissionAction = "read"
    ) -> list[Condition]:
        """Row-level security conditions to AND into every query of ``user`` on the DocType.

        ``action`` matters for shares: a document shared read-only is listed but not
        updatable. An empty list means the user reaches every row (admins, no RLS).
        """
        ...
