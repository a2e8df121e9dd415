"""``build_permission_adapter``: the permission adapter ``[permissions] adapter`` names."""

from __future__ import annotations

import httpx

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.interfaces.repository import RepositoryFactoryProtocol
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings
from framework_m_standard.adapters.permissions.custom_rules import CustomPermissionRules
from framework_m_standard.adapters.permissions.policy import PolicyPermissionAdapter
from framework_m_standard.adapters.permissions.rbac import RbacPermissionAdapter
from framework_m_standard.adapters.permissions.shares import ShareLookup

PermissionAdapter = RbacPermissionAdapter | PolicyPermissionAdapter
"""Either adapter: a ``PermissionProtocol`` with ``invalidate_rules()`` and ``aclose()``."""


def build_permission_adapter(
    settings: Settings,
    *,
    registry: MetaRegistry,
    repositories: RepositoryFactoryProtocol,
    unit_of_work: UnitOfWorkFactoryProtocol,
    client: httpx.AsyncClient | None = None,
) -> PermissionAdapter:
    """RBAC (Meta.permissions + CustomPermission + shares), or the policy service over it.

    ``client`` is used by the policy adapter instead of one of its own. Close the result
    with ``aclose()``; call ``invalidate_rules()`` after changing a CustomPermission.
    """
    config = settings.permissions
    if config.adapter == "policy" and not config.policy.url:
        raise ConfigurationError(
            "permissions.adapter = 'policy' needs [permissions.policy] url",
            setting="permissions.policy.url",
        )
    rules = CustomPermissionRules(repositories, unit_of_work, ttl=config.cache_ttl)
    shares = ShareLookup(repositories, unit_of_work, ttl=config.cache_ttl)
    rbac = RbacPermissionAdapter(registry, config, rules=rules, shares=shares)
    if config.adapter == "policy":
        return PolicyPermissionAdapter(config.policy, fallback=rbac, client=client)
    return rbac
