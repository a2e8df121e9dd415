"""Role decisions of the RBAC adapter: Meta.permissions, All/Guest, admins, system, scopes."""

from __future__ import annotations

import pytest
from perm_doctypes import ADMIN, GUEST, person

from framework_m_core.doctypes import ADMIN_ROLE
from framework_m_core.exceptions import DocTypeNotFoundError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.permission import (
    DecisionSource,
    PermissionAction,
    PolicyEvaluateRequest,
)
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import PermissionSettings
from framework_m_standard.adapters.permissions.rbac import RbacPermissionAdapter, scope_covers


@pytest.fixture
def rbac(registry: MetaRegistry) -> RbacPermissionAdapter:
    return RbacPermissionAdapter(registry, PermissionSettings())


@pytest.mark.parametrize(
    ("roles", "action", "allowed"),
    [
        (("Employee",), "read", True),
        (("Employee",), "write", True),
        (("Employee",), "create", True),
        (("Employee",), "delete", False),
        (("Manager",), "delete", True),
        (("Manager",), "read", False),
        ((), "read", False),
        (("Employee", "Manager"), "delete", True),
    ],
)
async def test_roles_are_matched_per_action(
    rbac: RbacPermissionAdapter, roles: tuple[str, ...], action: PermissionAction, allowed: bool
) -> None:
    assert await rbac.has_permission(person("alice", *roles), "PermNote", action) is allowed


async def test_roles_given_as_attributes_count(rbac: RbacPermissionAdapter) -> None:
    user = person("alice", attributes={"roles": ["Manager"]})
    assert await rbac.has_permission(user, "PermNote", "delete")
    assert not await rbac.has_permission(user, "PermNote", "read")


async def test_an_action_without_roles_is_for_administrators_only(
    rbac: RbacPermissionAdapter,
) -> None:
    assert not await rbac.has_permission(
        person("alice", "Employee", "Manager"), "PermNote", "submit"
    )
    assert await rbac.has_permission(ADMIN, "PermNote", "submit")
    result = await rbac.evaluate(
        PolicyEvaluateRequest.for_user(person("alice", "Employee"), "PermNote", "submit")
    )
    assert not result.authorized
    assert result.reason is not None
    assert "administrators only" in result.reason


async def test_all_is_every_signed_in_user_but_not_a_guest(rbac: RbacPermissionAdapter) -> None:
    assert await rbac.has_permission(person("nobody"), "PermTeamNote", "read")
    assert not await rbac.has_permission(GUEST, "PermTeamNote", "read")
    assert not await rbac.has_permission(person("guest"), "PermTeamNote", "read")
    assert not await rbac.has_permission(person("nobody"), "PermTeamNote", "write")


async def test_guest_is_everybody(rbac: RbacPermissionAdapter) -> None:
    assert await rbac.has_permission(GUEST, "PermPage", "read")
    assert await rbac.has_permission(person("alice"), "PermPage", "read")
    assert not await rbac.has_permission(GUEST, "PermPage", "write")
    assert await rbac.has_permission(person("alice"), "PermPage", "write")


async def test_admin_bypass_on_and_off(registry: MetaRegistry) -> None:
    on = RbacPermissionAdapter(registry, PermissionSettings(admin_bypass=True))
    off = RbacPermissionAdapter(registry, PermissionSettings(admin_bypass=False))
    assert await on.has_permission(ADMIN, "PermPage", "delete")
    assert await on.has_permission(ADMIN, "PermNote", "read")
    assert not await off.has_permission(ADMIN, "PermPage", "delete")
    assert not await off.has_permission(ADMIN, "PermNote", "read")
    # Without the bypass an administrator is an ordinary role: declared grants still apply.
    assert await off.has_permission(ADMIN, "CustomPermission", "read")


async def test_admin_roles_come_from_settings(registry: MetaRegistry) -> None:
    rbac = RbacPermissionAdapter(registry, PermissionSettings(admin_roles=["Root"]))
    assert await rbac.has_permission(person("r", "Root"), "PermPage", "delete")
    assert not await rbac.has_permission(person("s", ADMIN_ROLE), "PermPage", "delete")


async def test_system_user_may_do_everything_even_without_admin_bypass(
    registry: MetaRegistry,
) -> None:
    rbac = RbacPermissionAdapter(registry, PermissionSettings(admin_bypass=False))
    system = UserContext.system()
    for action in ("read", "write", "create", "delete", "submit", "cancel", "amend"):
        assert await rbac.has_permission(system, "PermPage", action)
    assert await rbac.get_permitted_filters(system, "PermNote") == []
    result = await rbac.evaluate(PolicyEvaluateRequest.for_user(system, "PermPage", "delete"))
    assert result.authorized
    assert result.reason == "system user"


@pytest.mark.parametrize(
    ("scopes", "doctype", "action", "allowed"),
    [
        (["read"], "PermPage", "read", True),
        (["read"], "PermPage", "write", False),
        (["write"], "PermPage", "create", False),
        (["PermPage:write"], "PermPage", "write", True),
        (["PermPage:write"], "PermNote", "write", False),
        (["*:write"], "PermNote", "write", True),
        (["*:write"], "PermNote", "read", False),
        (["PermNote:*"], "PermNote", "delete", True),
        (["PermNote:*"], "PermPage", "read", False),
        (["*"], "PermNote", "delete", True),
        ([], "PermPage", "read", False),
        (["PermPage"], "PermPage", "read", False),
    ],
)
def test_scope_covers(scopes: list[str], doctype: str, action: str, allowed: bool) -> None:
    assert scope_covers(scopes, doctype, action) is allowed


async def test_scopes_limit_even_an_administrator(rbac: RbacPermissionAdapter) -> None:
    scoped = ADMIN.model_copy(update={"attributes": {"scopes": ["PermNote:read"]}})
    assert await rbac.has_permission(scoped, "PermNote", "read")
    assert not await rbac.has_permission(scoped, "PermNote", "delete")
    assert not await rbac.has_permission(scoped, "PermPage", "read")


async def test_scopes_never_add_rights(rbac: RbacPermissionAdapter) -> None:
    scoped = person("alice", "Employee", attributes={"scopes": ["*"]})
    assert await rbac.has_permission(scoped, "PermNote", "read")
    assert not await rbac.has_permission(scoped, "PermNote", "delete")


async def test_scopes_are_read_from_the_request(rbac: RbacPermissionAdapter) -> None:
    request = PolicyEvaluateRequest(
        principal="k",
        action="write",
        resource="PermNote",
        principal_attributes={"roles": ["Employee"], "scopes": ["read"]},
    )
    result = await rbac.evaluate(request)
    assert not result.authorized
    assert result.reason is not None
    assert "scopes" in result.reason
    allowed = await rbac.evaluate(request.model_copy(update={"action": "read"}))
    assert allowed.authorized


async def test_evaluate_uses_roles_and_system_flag_of_the_request(
    rbac: RbacPermissionAdapter,
) -> None:
    def ask(action: PermissionAction, **attributes: object) -> PolicyEvaluateRequest:
        return PolicyEvaluateRequest(
            principal="p", action=action, resource="PermNote", principal_attributes=attributes
        )

    granted = await rbac.evaluate(ask("delete", roles=["Manager"]))
    assert granted.authorized
    assert granted.decision_source is DecisionSource.RBAC
    assert granted.reason is not None
    assert "Manager" in granted.reason
    assert not (await rbac.evaluate(ask("delete", roles=["Employee"]))).authorized
    assert not (await rbac.evaluate(ask("delete"))).authorized
    assert (await rbac.evaluate(ask("delete", is_system_user=True))).authorized
    assert (await rbac.evaluate(ask("submit", roles=[ADMIN_ROLE]))).authorized


async def test_evaluate_of_a_guest_principal(rbac: RbacPermissionAdapter) -> None:
    request = PolicyEvaluateRequest(principal="guest", action="read", resource="PermPage")
    assert (await rbac.evaluate(request)).authorized
    team = request.model_copy(update={"resource": "PermTeamNote"})
    assert not (await rbac.evaluate(team)).authorized


async def test_unknown_doctype_is_an_error(rbac: RbacPermissionAdapter) -> None:
    with pytest.raises(DocTypeNotFoundError):
        await rbac.has_permission(ADMIN, "Nope", "read")
    with pytest.raises(DocTypeNotFoundError):
        await rbac.get_permitted_filters(ADMIN, "Nope")
    with pytest.raises(DocTypeNotFoundError):
        await rbac.evaluate(PolicyEvaluateRequest(principal="a", action="read", resource="Nope"))
