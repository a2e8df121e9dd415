"""Tenant port: which tenant the current request belongs to, and what that tenant may do.

Single-tenant deployments answer with one implicit ``default`` tenant; multi-tenant ones read
the tenant from gateway headers. Tenant ``attributes`` carry plan, feature flags and
``default_locale`` without a database lookup.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_TENANT_ID = "default"


class TenantContext(BaseModel):
    """The tenant of the current request."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str = Field(min_length=1)
    attributes: dict[str, Any] = Field(default_factory=dict)
    is_default: bool = False

    @property
    def default_locale(self) -> str | None:
        """The tenant's preferred locale, when its attributes name one."""
        value = self.attributes.get("default_locale")
        return value if isinstance(value, str) else None

    def has_feature(self, feature: str) -> bool:
        """Whether the tenant's ``features`` attribute enables this feature (``"*"``: all)."""
        features = self.attributes.get("features")
        if features == "*":
            return True
        return isinstance(features, list | tuple | set | frozenset) and feature in features


class TenantProtocol(Protocol):
    async def get_current_tenant(self) -> str:
        """The id of the current request's tenant."""
        ...

    async def get_context(self) -> TenantContext:
        """The current tenant with its attributes."""
        ...

    async def get_tenant_attributes(self, tenant_id: str) -> dict[str, Any]:
        """A tenant's attributes (plan, features, default_locale, ...)."""
        ...

    async def get_tenant_config(self, tenant_id: str) -> dict[str, Any]:
        """A tenant's configuration overrides (database bind, limits, ...)."""
        ...

    def is_multi_tenant(self) -> bool:
        """Whether this deployment serves more than one tenant."""
        ...
