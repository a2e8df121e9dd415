"""Which DocTypes are isolated per tenant, and the condition that isolates them."""

from __future__ import annotations

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.interfaces.repository import FilterSpec
from framework_m_core.interfaces.tenant import TenantContext
from framework_m_core.settings import TenancySettings


def tenant_field(doctype: type[BaseDocType], settings: TenancySettings) -> str | None:
    """The field holding the tenant when rows of this DocType are isolated, else None."""
    if settings.mode != "multi":
        return None
    scoped = doctype.get_meta().tenant_scoped
    has_field = settings.field in doctype.model_fields
    if scoped is None:
        scoped = has_field
    return settings.field if scoped and has_field else None


def tenant_filters(
    doctype: type[BaseDocType], tenant: TenantContext | None, settings: TenancySettings
) -> list[FilterSpec]:
    """``[tenant_field = tenant]`` for isolated DocTypes in multi-tenant mode, else nothing."""
    field = tenant_field(doctype, settings)
    if field is None or tenant is None:
        return []
    return [FilterSpec(field=field, value=tenant.tenant_id)]
