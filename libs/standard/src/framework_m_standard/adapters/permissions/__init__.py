"""Permission and tenancy adapters: RBAC with row-level security, an external policy
service, and the tenant of a request. Framework-agnostic: no web framework is imported."""

from framework_m_standard.adapters.permissions.custom_rules import CustomPermissionRules
from framework_m_standard.adapters.permissions.factory import (
    PermissionAdapter,
    build_permission_adapter,
)
from framework_m_standard.adapters.permissions.policy import (
    AuthorizationRequest,
    AuthorizationResponse,
    PolicyPermissionAdapter,
    PolicyUnavailableError,
)
from framework_m_standard.adapters.permissions.rbac import (
    ALL_ROLE,
    GUEST_ROLE,
    GUEST_USER_ID,
    RbacPermissionAdapter,
    scope_covers,
)
from framework_m_standard.adapters.permissions.shares import ShareLookup, share_allows
from framework_m_standard.adapters.permissions.tenancy import (
    HeaderTenantAdapter,
    ImplicitTenantAdapter,
    resolve_tenant,
    tenant_filters,
)

__all__ = [
    "ALL_ROLE",
    "GUEST_ROLE",
    "GUEST_USER_ID",
    "AuthorizationRequest",
    "AuthorizationResponse",
    "CustomPermissionRules",
    "HeaderTenantAdapter",
    "ImplicitTenantAdapter",
    "PermissionAdapter",
    "PolicyPermissionAdapter",
    "PolicyUnavailableError",
    "RbacPermissionAdapter",
    "ShareLookup",
    "build_permission_adapter",
    "resolve_tenant",
    "scope_covers",
    "share_allows",
    "tenant_filters",
]
