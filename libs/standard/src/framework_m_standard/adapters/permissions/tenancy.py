"""Tenant of a request: one implicit tenant, or the tenant a gateway names in headers.

Both adapters answer ``TenantProtocol`` for one request and are built per request from its
headers; ``resolve_tenant`` picks one by ``[tenancy] mode`` and checks membership.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.exceptions import PermissionDeniedError, ValidationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.repository import FilterSpec
from framework_m_core.interfaces.tenant import TenantContext
from framework_m_core.settings import Settings, TenancySettings
from framework_m_core.tenancy import tenant_filters as _core_tenant_filters
from framework_m_standard.adapters.permissions.rbac import GUEST_ROLE, GUEST_USER_ID

IMPLICIT_TENANT_ATTRIBUTES: Mapping[str, Any] = {"plan": "unlimited", "features": "*"}
_MAX_TENANT_ID = 255


class _KnownTenant:
    """A tenant fixed for the adapter's lifetime (the deployment's, or the request's)."""

    context: TenantContext

    async def get_current_tenant(self) -> str:
        """The tenant's id."""
        return self.context.tenant_id

    async def get_context(self) -> TenantContext:
        """The tenant with its attributes."""
        return self.context

    async def get_tenant_attributes(self, tenant_id: str) -> dict[str, Any]:
        """This tenant's attributes; nothing is known about other tenants."""
        return dict(self.context.attributes) if tenant_id == self.context.tenant_id else {}

    async def get_tenant_config(self, tenant_id: str) -> dict[str, Any]:
        """No per-tenant overrides."""
        return {}


class ImplicitTenantAdapter(_KnownTenant):
    """The single tenant of a single-tenant deployment: unlimited, every feature on."""

    def __init__(self, settings: TenancySettings) -> None:
        self.context = TenantContext(
            tenant_id=settings.default_tenant,
            attributes=dict(IMPLICIT_TENANT_ATTRIBUTES),
            is_default=True,
        )

    def is_multi_tenant(self) -> bool:
        """Always False."""
        return False


class HeaderTenantAdapter(_KnownTenant):
    """The tenant named by a trusted gateway in ``[tenancy] header`` (+ attributes header).

    Raises ``ValidationError`` on construction when the header is missing or the attributes
    are not a JSON object.
    """

    def __init__(self, settings: TenancySettings, headers: Mapping[str, str]) -> None:
        tenant_id = (_header(headers, settings.header) or "").strip()
        if not tenant_id:
            raise ValidationError(f"{settings.header} header is required", header=settings.header)
        if len(tenant_id) > _MAX_TENANT_ID or not tenant_id.isprintable():
            raise ValidationError(f"{settings.header} header is invalid", header=settings.header)
        self.context = TenantContext(
            tenant_id=tenant_id,
            attributes=_attributes(headers, settings.attributes_header),
            is_default=False,
        )

    def is_multi_tenant(self) -> bool:
        """Always True."""
        return True


def resolve_tenant(
    settings: Settings, headers: Mapping[str, str], user: UserContext | None
) -> TenantContext:
    """The request's tenant; in multi mode the (signed-in) user must belong to it.

    ``user`` None or a guest is not checked: what anonymous callers reach is decided by the
    ``Guest`` permissions of each DocType. System users belong to every tenant.
    """
    config = settings.tenancy
    if config.mode == "single":
        return ImplicitTenantAdapter(config).context
    tenant = HeaderTenantAdapter(config, headers).context
    if user is None or user.is_system_user or _is_guest(user):
        return tenant
    if tenant.tenant_id not in user.tenants:
        raise PermissionDeniedError(
            f"You do not belong to tenant {tenant.tenant_id!r}", tenant_id=tenant.tenant_id
        )
    return tenant


def tenant_filters(
    doctype_class: type[BaseDocType], tenant: TenantContext, settings: Settings
) -> list[FilterSpec]:
    """``[tenant field = tenant]`` for tenant-scoped DocTypes in multi mode, else ``[]``."""
    return _core_tenant_filters(doctype_class, tenant, settings.tenancy)


def _is_guest(user: UserContext) -> bool:
    return user.id == GUEST_USER_ID or user.has_role(GUEST_ROLE)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def _attributes(headers: Mapping[str, str], name: str) -> dict[str, Any]:
    raw = _header(headers, name)
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise ValidationError(f"{name} header must be a JSON object", header=name)
    return value
