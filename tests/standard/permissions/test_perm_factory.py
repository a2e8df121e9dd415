"""``build_permission_adapter``: the adapter the settings name, wired to the database."""

from __future__ import annotations

import pytest
from perm_doctypes import closed_port_url, person, store

from framework_m_core.doctypes import CustomPermission
from framework_m_core.exceptions import ConfigurationError
from framework_m_core.interfaces.permission import PermissionProtocol
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import PermissionSettings, PolicySettings, Settings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.permissions.factory import (
    PermissionAdapter,
    build_permission_adapter,
)
from framework_m_standard.adapters.permissions.policy import PolicyPermissionAdapter
from framework_m_standard.adapters.permissions.rbac import RbacPermissionAdapter


def build(db: DatabaseRuntime, registry: MetaRegistry, **permissions: object) -> PermissionAdapter:
    settings = Settings(permissions=PermissionSettings.model_validate(permissions))
    return build_permission_adapter(
        settings, registry=registry, repositories=db.repositories, unit_of_work=db.unit_of_work
    )


async def test_rbac_by_default_with_rules_and_shares(
    perm_db: DatabaseRuntime, registry: MetaRegistry
) -> None:
    adapter = build(perm_db, registry, cache_ttl=3600)
    assert isinstance(adapter, RbacPermissionAdapter)
    port: PermissionProtocol = adapter
    contractor = person("carl", "Contractor")
    assert not await port.has_permission(contractor, "PermNote", "read")
    await store(perm_db, CustomPermission(doctype="PermNote", role="Contractor", action="read"))
    assert not await port.has_permission(contractor, "PermNote", "read")  # cached
    adapter.invalidate_rules()
    assert await port.has_permission(contractor, "PermNote", "read")
    await adapter.aclose()


async def test_policy_over_rbac(perm_db: DatabaseRuntime, registry: MetaRegistry) -> None:
    adapter = build(
        perm_db,
        registry,
        adapter="policy",
        cache_ttl=3600,
        policy=PolicySettings(url=closed_port_url(), fallback="rbac", timeout=1),
    )
    assert isinstance(adapter, PolicyPermissionAdapter)
    contractor = person("carl", "Contractor")
    try:
        assert not await adapter.has_permission(contractor, "PermNote", "read")
        await store(perm_db, CustomPermission(doctype="PermNote", role="Contractor", action="read"))
        adapter.invalidate_rules()
        assert await adapter.has_permission(contractor, "PermNote", "read")
        assert await adapter.get_permitted_filters(contractor, "PermNote") != []
    finally:
        await adapter.aclose()


async def test_policy_needs_a_url(perm_db: DatabaseRuntime, registry: MetaRegistry) -> None:
    with pytest.raises(ConfigurationError, match="url"):
        build(perm_db, registry, adapter="policy")
