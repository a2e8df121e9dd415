"""Which DocTypes are isolated per tenant, and by which condition."""

from __future__ import annotations

from pydantic import Field

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.interfaces.repository import FilterSpec
from framework_m_core.interfaces.tenant import TenantContext
from framework_m_core.settings import TenancySettings
from framework_m_core.tenancy import tenant_field, tenant_filters

MULTI = TenancySettings(mode="multi")
ACME = TenantContext(tenant_id="acme")


class Scoped(BaseDocType):
    tenant_id: str | None = None


class Unscoped(BaseDocType):
    title: str = ""


class OptedOut(BaseDocType):
    tenant_id: str | None = Field(default=None)

    class Meta:
        tenant_scoped = False


def test_doctypes_with_the_tenant_field_are_isolated_in_multi_mode() -> None:
    assert tenant_field(Scoped, MULTI) == "tenant_id"
    assert tenant_filters(Scoped, ACME, MULTI) == [FilterSpec(field="tenant_id", value="acme")]
    assert tenant_filters(Scoped, None, MULTI) == []


def test_single_mode_unscoped_and_opted_out_are_not() -> None:
    assert tenant_field(Scoped, TenancySettings()) is None
    assert tenant_field(Unscoped, MULTI) is None
    assert tenant_field(OptedOut, MULTI) is None
    assert tenant_filters(Unscoped, ACME, MULTI) == []
