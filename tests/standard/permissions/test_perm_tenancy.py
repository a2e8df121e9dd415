"""Tenant resolution from settings and headers, membership, and tenant row filters."""

from __future__ import annotations

import pytest
from perm_doctypes import (
    GUEST,
    PermNote,
    PermTenantForced,
    PermTenantNote,
    PermTenantOptOut,
    person,
)

from framework_m_core.exceptions import PermissionDeniedError, ValidationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.repository import FilterSpec
from framework_m_core.interfaces.tenant import TenantContext, TenantProtocol
from framework_m_core.settings import Settings, TenancySettings
from framework_m_standard.adapters.permissions.tenancy import (
    HeaderTenantAdapter,
    ImplicitTenantAdapter,
    resolve_tenant,
    tenant_filters,
)

SINGLE = Settings()
MULTI = Settings(tenancy=TenancySettings(mode="multi"))
MEMBER = person("alice", tenants=("acme", "globex"))


async def test_implicit_tenant() -> None:
    adapter: TenantProtocol = ImplicitTenantAdapter(TenancySettings(default_tenant="main"))
    assert await adapter.get_current_tenant() == "main"
    context = await adapter.get_context()
    assert context == TenantContext(
        tenant_id="main", attributes={"plan": "unlimited", "features": "*"}, is_default=True
    )
    assert context.has_feature("anything")
    assert await adapter.get_tenant_attributes("main") == {"plan": "unlimited", "features": "*"}
    assert await adapter.get_tenant_attributes("other") == {}
    assert await adapter.get_tenant_config("main") == {}
    assert not adapter.is_multi_tenant()


async def test_header_tenant() -> None:
    headers = {
        "x-tenant-id": " acme ",
        "X-Tenant-Attributes": '{"plan": "pro", "features": ["api"]}',
    }
    adapter: TenantProtocol = HeaderTenantAdapter(TenancySettings(mode="multi"), headers)
    assert await adapter.get_current_tenant() == "acme"
    context = await adapter.get_context()
    assert context.attributes == {"plan": "pro", "features": ["api"]}
    assert not context.is_default
    assert context.has_feature("api")
    assert not context.has_feature("sso")
    assert await adapter.get_tenant_attributes("acme") == {"plan": "pro", "features": ["api"]}
    assert await adapter.get_tenant_attributes("globex") == {}
    assert adapter.is_multi_tenant()


async def test_header_names_come_from_settings() -> None:
    config = TenancySettings(mode="multi", header="X-Org", attributes_header="X-Org-Info")
    adapter = HeaderTenantAdapter(config, {"X-Org": "acme", "X-Org-Info": '{"plan": "free"}'})
    assert adapter.context == TenantContext(tenant_id="acme", attributes={"plan": "free"})
    with pytest.raises(ValidationError, match="X-Org header is required"):
        HeaderTenantAdapter(config, {"X-Tenant-ID": "acme"})


def test_single_mode_ignores_headers() -> None:
    tenant = resolve_tenant(SINGLE, {"X-Tenant-ID": "evil"}, MEMBER)
    assert tenant.tenant_id == "default"
    assert tenant.is_default
    assert resolve_tenant(SINGLE, {}, None).tenant_id == "default"


@pytest.mark.parametrize("headers", [{}, {"X-Tenant-ID": ""}, {"X-Tenant-ID": "   "}])
def test_multi_mode_requires_the_header(headers: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="X-Tenant-ID header is required") as caught:
        resolve_tenant(MULTI, headers, MEMBER)
    assert caught.value.code == "validation_error"


@pytest.mark.parametrize("value", ["a\nb", "x" * 256])
def test_an_unprintable_or_huge_tenant_id_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="invalid"):
        resolve_tenant(MULTI, {"X-Tenant-ID": value}, MEMBER)


def test_a_member_gets_the_tenant() -> None:
    tenant = resolve_tenant(MULTI, {"X-Tenant-ID": "globex"}, MEMBER)
    assert tenant.tenant_id == "globex"
    assert not tenant.is_default


def test_a_non_member_is_refused() -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        resolve_tenant(MULTI, {"X-Tenant-ID": "initech"}, MEMBER)
    assert caught.value.context == {"tenant_id": "initech"}
    with pytest.raises(PermissionDeniedError):
        resolve_tenant(MULTI, {"X-Tenant-ID": "acme"}, person("nobody"))


def test_system_users_belong_to_every_tenant() -> None:
    assert resolve_tenant(MULTI, {"X-Tenant-ID": "initech"}, UserContext.system()).tenant_id == (
        "initech"
    )


def test_anonymous_callers_are_not_checked_for_membership() -> None:
    assert resolve_tenant(MULTI, {"X-Tenant-ID": "acme"}, None).tenant_id == "acme"
    assert resolve_tenant(MULTI, {"X-Tenant-ID": "acme"}, GUEST).tenant_id == "acme"


def test_tenant_attributes_header() -> None:
    headers = {"X-Tenant-ID": "acme", "X-Tenant-Attributes": '{"default_locale": "de"}'}
    assert resolve_tenant(MULTI, headers, MEMBER).default_locale == "de"
    assert resolve_tenant(MULTI, {"X-Tenant-ID": "acme"}, MEMBER).attributes == {}


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"plan"', "null"])
def test_malformed_attributes_are_refused(raw: str) -> None:
    headers = {"X-Tenant-ID": "acme", "X-Tenant-Attributes": raw}
    with pytest.raises(ValidationError, match="X-Tenant-Attributes header must be a JSON object"):
        resolve_tenant(MULTI, headers, MEMBER)


def test_tenant_filters() -> None:
    acme = TenantContext(tenant_id="acme")
    assert tenant_filters(PermTenantNote, acme, MULTI) == [
        FilterSpec(field="tenant_id", value="acme")
    ]
    # Not multi-tenant, no tenant field, or opted out: no isolation.
    assert tenant_filters(PermTenantNote, acme, SINGLE) == []
    assert tenant_filters(PermNote, acme, MULTI) == []
    assert tenant_filters(PermTenantOptOut, acme, MULTI) == []


def test_tenant_filters_use_the_configured_field() -> None:
    acme = TenantContext(tenant_id="acme")
    by_org = Settings(tenancy=TenancySettings(mode="multi", field="org"))
    assert tenant_filters(PermTenantForced, acme, by_org) == [FilterSpec(field="org", value="acme")]
    assert tenant_filters(PermTenantNote, acme, by_org) == []
