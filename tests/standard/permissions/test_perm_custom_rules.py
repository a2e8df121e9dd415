"""CustomPermission rules from the database: grants, revokes, and the per-process cache."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from perm_doctypes import person, store

from framework_m_core.doctypes import CustomPermission
from framework_m_core.interfaces.permission import DecisionSource, PolicyEvaluateRequest
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import PermissionSettings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.permissions import custom_rules
from framework_m_standard.adapters.permissions.custom_rules import CustomPermissionRules
from framework_m_standard.adapters.permissions.rbac import RbacPermissionAdapter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def rules_of(
    db: DatabaseRuntime, *, ttl: float = 60.0, clock: Clock | None = None
) -> CustomPermissionRules:
    return CustomPermissionRules(db.repositories, db.unit_of_work, ttl=ttl, clock=clock or Clock())


def rbac_of(registry: MetaRegistry, rules: CustomPermissionRules) -> RbacPermissionAdapter:
    return RbacPermissionAdapter(registry, PermissionSettings(), rules=rules)


async def test_grants_and_revokes_are_read_by_doctype_and_action(perm_db: DatabaseRuntime) -> None:
    await store(
        perm_db,
        CustomPermission(doctype="PermNote", role="Contractor", action="read"),
        CustomPermission(doctype="PermNote", role="Intern", action="read", allow=False),
        CustomPermission(doctype="PermNote", role="Contractor", action="write", allow=False),
        CustomPermission(doctype="PermPage", role="Editor", action="read"),
    )
    rules = rules_of(perm_db)
    assert await rules.grants("PermNote", "read") == {"Contractor"}
    assert await rules.revokes("PermNote", "read") == {"Intern"}
    assert await rules.grants("PermNote", "write") == set()
    assert await rules.revokes("PermNote", "write") == {"Contractor"}
    assert await rules.grants("PermPage", "read") == {"Editor"}
    assert await rules.grants("PermPage", "delete") == set()


async def test_every_rule_is_loaded_across_pages(
    perm_db: DatabaseRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(custom_rules, "_PAGE", 2)
    roles = {f"Role{i}" for i in range(5)}
    await store(
        perm_db, *(CustomPermission(doctype="PermNote", role=r, action="read") for r in roles)
    )
    assert await rules_of(perm_db).grants("PermNote", "read") == roles


async def test_a_grant_lets_a_role_in(perm_db: DatabaseRuntime, registry: MetaRegistry) -> None:
    contractor = person("carl", "Contractor")
    rbac = rbac_of(registry, rules_of(perm_db))
    assert not await rbac.has_permission(contractor, "PermNote", "read")
    await store(perm_db, CustomPermission(doctype="PermNote", role="Contractor", action="read"))
    rbac.invalidate_rules()
    assert await rbac.has_permission(contractor, "PermNote", "read")
    assert not await rbac.has_permission(contractor, "PermNote", "write")
    result = await rbac.evaluate(PolicyEvaluateRequest.for_user(contractor, "PermNote", "read"))
    assert result.authorized
    assert result.decision_source is DecisionSource.CUSTOM


async def test_a_grant_opens_an_action_meta_gives_nobody(
    perm_db: DatabaseRuntime, registry: MetaRegistry
) -> None:
    await store(perm_db, CustomPermission(doctype="PermNote", role="Manager", action="submit"))
    rbac = rbac_of(registry, rules_of(perm_db))
    assert await rbac.has_permission(person("m", "Manager"), "PermNote", "submit")
    assert not await rbac.has_permission(person("e", "Employee"), "PermNote", "submit")


async def test_a_revoke_takes_a_declared_role_away(
    perm_db: DatabaseRuntime, registry: MetaRegistry
) -> None:
    employee = person("erin", "Employee")
    await store(
        perm_db, CustomPermission(doctype="PermNote", role="Employee", action="read", allow=False)
    )
    rbac = rbac_of(registry, rules_of(perm_db))
    assert not await rbac.has_permission(employee, "PermNote", "read")
    assert await rbac.has_permission(employee, "PermNote", "write")
    result = await rbac.evaluate(PolicyEvaluateRequest.for_user(employee, "PermNote", "read"))
    assert not result.authorized
    assert result.decision_source is DecisionSource.CUSTOM


async def test_a_revoke_does_not_beat_another_granting_role(
    perm_db: DatabaseRuntime, registry: MetaRegistry
) -> None:
    await store(
        perm_db,
        CustomPermission(doctype="PermNote", role="Employee", action="read", allow=False),
        CustomPermission(doctype="PermNote", role="Auditor", action="read"),
        CustomPermission(doctype="PermTeamNote", role="Employee", action="read", allow=False),
    )
    rbac = rbac_of(registry, rules_of(perm_db))
    assert await rbac.has_permission(person("a", "Employee", "Auditor"), "PermNote", "read")
    assert not await rbac.has_permission(person("b", "Employee", "Intern"), "PermNote", "read")
    # PermTeamNote is readable by All: revoking Employee leaves every signed-in user in.
    assert await rbac.has_permission(person("c", "Employee"), "PermTeamNote", "read")


async def test_revoking_all_shuts_out_users_with_no_other_role(
    perm_db: DatabaseRuntime, registry: MetaRegistry
) -> None:
    await store(
        perm_db, CustomPermission(doctype="PermTeamNote", role="All", action="read", allow=False)
    )
    rbac = rbac_of(registry, rules_of(perm_db))
    assert not await rbac.has_permission(person("c", "Employee"), "PermTeamNote", "read")


async def test_rules_are_cached_for_ttl_seconds(perm_db: DatabaseRuntime) -> None:
    clock = Clock()
    rules = rules_of(perm_db, ttl=30, clock=clock)
    assert await rules.grants("PermNote", "read") == set()
    await store(perm_db, CustomPermission(doctype="PermNote", role="Contractor", action="read"))
    clock.now += 29
    assert await rules.grants("PermNote", "read") == set()
    clock.now += 2
    assert await rules.grants("PermNote", "read") == {"Contractor"}


async def test_invalidate_shows_a_change_at_once(perm_db: DatabaseRuntime) -> None:
    rules = rules_of(perm_db, ttl=3600)
    assert await rules.revokes("PermNote", "read") == set()
    await store(
        perm_db, CustomPermission(doctype="PermNote", role="Employee", action="read", allow=False)
    )
    assert await rules.revokes("PermNote", "read") == set()
    rules.invalidate()
    assert await rules.revokes("PermNote", "read") == {"Employee"}


async def test_zero_ttl_reads_every_time(perm_db: DatabaseRuntime) -> None:
    rules = rules_of(perm_db, ttl=0)
    assert await rules.grants("PermNote", "read") == set()
    await store(perm_db, CustomPermission(doctype="PermNote", role="Contractor", action="read"))
    assert await rules.grants("PermNote", "read") == {"Contractor"}


async def test_an_invalidate_during_a_load_is_not_lost(perm_db: DatabaseRuntime) -> None:
    made: list[CustomPermissionRules] = []

    def clock() -> float:
        # A load starts by reading the clock; here a rule changes (and is invalidated) meanwhile.
        if len(made) == 1:
            made.append(made[0])
            made[0].invalidate()
        return 1000.0

    made.append(
        CustomPermissionRules(perm_db.repositories, perm_db.unit_of_work, ttl=3600, clock=clock)
    )
    rules = made[0]
    assert await rules.grants("PermNote", "read") == set()
    await store(perm_db, CustomPermission(doctype="PermNote", role="Contractor", action="read"))
    # What the interrupted load read was not kept: this check reads again.
    assert await rules.grants("PermNote", "read") == {"Contractor"}
    # From now on the cache holds.
    await store(perm_db, CustomPermission(doctype="PermNote", role="Intern", action="read"))
    assert await rules.grants("PermNote", "read") == {"Contractor"}


async def test_stale_rules_are_read_once_however_many_ask(
    perm_db: DatabaseRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    rules = CustomPermissionRules(
        perm_db.repositories, perm_db.unit_of_work, ttl=5, clock=lambda: now[0]
    )
    loads: list[int] = []
    real_load = rules._load

    async def counted() -> Any:
        loads.append(1)
        return await real_load()

    monkeypatch.setattr(rules, "_load", counted)
    await asyncio.gather(*(rules.grants("PermNote", "read") for _ in range(20)))
    now[0] += 6
    await asyncio.gather(*(rules.grants("PermNote", "read") for _ in range(20)))
    assert len(loads) == 2
