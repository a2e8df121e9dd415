"""``Actor.permission_user``: what permission checks see of the caller."""

from __future__ import annotations

from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.permission import PolicyEvaluateRequest
from framework_m_core.interfaces.tenant import TenantContext
from framework_m_core.services.actor import Actor

USER = UserContext(id="u1", email="u1@example.com", roles=["Employee"], tenants=["a", "b"])


def test_plain_actor_is_the_user() -> None:
    assert Actor(user=USER).permission_user is USER


def test_scopes_and_tenant_travel_with_the_user() -> None:
    actor = Actor(user=USER, tenant=TenantContext(tenant_id="b"), scopes=("Note:read",))
    seen = actor.permission_user
    assert seen.attributes["scopes"] == ["Note:read"]
    assert seen.tenants == ["b", "a"]
    request = PolicyEvaluateRequest.for_user(seen, "Note", "read")
    assert request.tenant_id == "b"
    assert request.principal_attributes["scopes"] == ["Note:read"]
    assert USER.tenants == ["a", "b"]  # the original is untouched
