"""DocTypes and users for the permission tests: owner, team and custom-field RLS, open pages."""

from __future__ import annotations

import socket
from typing import Any

from pydantic import Field

from framework_m_core.doctypes import ADMIN_ROLE, CustomPermission, DocumentShare
from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.registry import MetaRegistry
from framework_m_standard.adapters.db.runtime import DatabaseRuntime


class PermNote(BaseDocType):
    """Private notes: each user sees their own (and what is shared with them)."""

    title: str = Field(max_length=140)

    class Meta:
        rls_field = "owner"
        permissions = {
            "read": ["Employee"],
            "write": ["Employee"],
            "create": ["Employee"],
            "delete": ["Manager"],
        }


class PermTeamNote(BaseDocType):
    title: str = Field(max_length=140)
    team: str | None = Field(default=None, max_length=140)

    class Meta:
        rls_field = "team"
        permissions = {"read": ["All"], "write": ["Employee"]}


class PermRegionNote(BaseDocType):
    title: str = Field(max_length=140)
    region: str | None = Field(default=None, max_length=140)

    class Meta:
        rls_field = "region"
        permissions = {"read": ["All"]}


class PermPage(BaseDocType):
    """Public pages: anyone reads, signed-in users write, nobody but admins deletes."""

    title: str = Field(max_length=140)

    class Meta:
        permissions = {"read": ["Guest"], "write": ["All"]}


class PermTenantNote(BaseDocType):
    title: str = Field(max_length=140)
    tenant_id: str | None = Field(default=None, max_length=140)


class PermTenantOptOut(BaseDocType):
    title: str = Field(max_length=140)
    tenant_id: str | None = Field(default=None, max_length=140)

    class Meta:
        tenant_scoped = False


class PermTenantForced(BaseDocType):
    """Scoped explicitly; the tenant field is configured under another name in its test."""

    title: str = Field(max_length=140)
    org: str | None = Field(default=None, max_length=140)

    class Meta:
        tenant_scoped = True


DOCTYPES: tuple[type[BaseDocType], ...] = (
    CustomPermission,
    DocumentShare,
    PermNote,
    PermTeamNote,
    PermRegionNote,
    PermPage,
    PermTenantNote,
)


def perm_registry() -> MetaRegistry:
    registry = MetaRegistry()
    for doctype in DOCTYPES:
        registry.register_doctype(doctype)
    return registry


def person(
    user_id: str,
    *roles: str,
    teams: tuple[str, ...] = (),
    tenants: tuple[str, ...] = (),
    attributes: dict[str, Any] | None = None,
) -> UserContext:
    return UserContext(
        id=user_id,
        email=f"{user_id}@example.com",
        roles=list(roles),
        teams=list(teams),
        tenants=list(tenants),
        attributes=dict(attributes or {}),
    )


GUEST = person("guest", "Guest")
ADMIN = person("root", ADMIN_ROLE)


async def store(db: DatabaseRuntime, *docs: BaseDocType) -> None:
    """Insert documents as they are (owner included) and commit."""
    async with db.unit_of_work() as uow:
        for doc in docs:
            await db.repositories.get(type(doc)).save(uow.session, doc)
        await uow.commit()


def closed_port_url() -> str:
    """A loopback URL nothing listens on: the port was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/authorize"
