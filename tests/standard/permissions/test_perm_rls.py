"""Row-level security: the filters each rule produces, shares OR-ed in, and proof on real rows."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import pytest
from perm_doctypes import ADMIN, GUEST, PermNote, PermRegionNote, PermTeamNote, person, store

from framework_m_core.doctypes import DocumentShare
from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.permission import PermissionAction
from framework_m_core.interfaces.repository import Condition, FilterGroup, FilterSpec, SharedWith
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import PermissionSettings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.permissions import shares as shares_module
from framework_m_standard.adapters.permissions.rbac import RbacPermissionAdapter
from framework_m_standard.adapters.permissions.shares import ShareLookup

NOTHING = [FilterGroup(any_of=())]


def only(*specs: FilterSpec) -> list[Condition]:
    return [FilterGroup(any_of=tuple((spec,) for spec in specs))]


@pytest.fixture
def rbac(registry: MetaRegistry) -> RbacPermissionAdapter:
    """RBAC without shares: the pure row rules."""
    return RbacPermissionAdapter(registry, PermissionSettings())


@pytest.fixture
def shared_rbac(registry: MetaRegistry, perm_db: DatabaseRuntime) -> RbacPermissionAdapter:
    shares = ShareLookup(perm_db.repositories, perm_db.unit_of_work)
    return RbacPermissionAdapter(registry, PermissionSettings(), shares=shares)


# ---------------------------------------------------------------- the filters themselves
async def test_owner_rule(rbac: RbacPermissionAdapter) -> None:
    filters = await rbac.get_permitted_filters(person("alice", "Employee"), "PermNote")
    assert filters == only(FilterSpec(field="owner", value="alice"))


@pytest.mark.parametrize(
    ("teams", "expected"),
    [
        (("sales",), only(FilterSpec(field="team", value="sales"))),
        (("sales", "ops"), only(FilterSpec(field="team", operator="in", value=["sales", "ops"]))),
        ((), NOTHING),
    ],
)
async def test_team_rule(
    rbac: RbacPermissionAdapter, teams: tuple[str, ...], expected: list[Condition]
) -> None:
    assert await rbac.get_permitted_filters(person("t", teams=teams), "PermTeamNote") == expected


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"region": "emea"}, only(FilterSpec(field="region", value="emea"))),
        (
            {"region": ["emea", "apac"]},
            only(FilterSpec(field="region", operator="in", value=["emea", "apac"])),
        ),
        ({"region": []}, NOTHING),
        ({"region": None}, NOTHING),
        ({}, NOTHING),
    ],
)
async def test_custom_field_rule(
    rbac: RbacPermissionAdapter, attributes: dict[str, object], expected: list[Condition]
) -> None:
    user = person("r", attributes=attributes)
    assert await rbac.get_permitted_filters(user, "PermRegionNote") == expected


async def test_unrestricted_users_and_doctypes_get_no_filters(registry: MetaRegistry) -> None:
    rbac = RbacPermissionAdapter(registry, PermissionSettings())
    assert await rbac.get_permitted_filters(ADMIN, "PermNote") == []
    assert await rbac.get_permitted_filters(UserContext.system(), "PermNote") == []
    assert await rbac.get_permitted_filters(person("alice"), "PermPage") == []
    strict = RbacPermissionAdapter(registry, PermissionSettings(admin_bypass=False))
    assert await strict.get_permitted_filters(ADMIN, "PermNote") == only(
        FilterSpec(field="owner", value="root")
    )


async def test_guests_own_no_rows(rbac: RbacPermissionAdapter) -> None:
    assert await rbac.get_permitted_filters(GUEST, "PermNote") == NOTHING
    assert await rbac.has_permission(GUEST, "PermPage", "read", {"owner": "guest"})


# ---------------------------------------------------------------- on real rows
async def ids_selected(
    db: DatabaseRuntime, doctype: type[BaseDocType], filters: Sequence[Condition]
) -> set[UUID]:
    async with db.unit_of_work() as uow:
        page = await db.repositories.get(doctype).list(
            uow.session, filters, limit=100, with_total=False
        )
    return {doc.id for doc in page.items}


class Notes:
    """alice owns a1; bob owns b1 (private), b2 (shared with alice to read), b3 (to write)."""

    def __init__(self) -> None:
        self.a1 = PermNote(title="a1", owner="alice")
        self.b1 = PermNote(title="b1", owner="bob")
        self.b2 = PermNote(title="b2", owner="bob")
        self.b3 = PermNote(title="b3", owner="bob")
        self.shares = [
            DocumentShare(doctype="PermNote", document_id=self.b2.id, user_id="alice"),
            DocumentShare(
                doctype="PermNote", document_id=self.b3.id, user_id="alice", read=False, write=True
            ),
            # Same id, other DocType: must not leak into PermNote.
            DocumentShare(doctype="PermTeamNote", document_id=self.b1.id, user_id="alice"),
        ]


@pytest.fixture
async def notes(perm_db: DatabaseRuntime) -> Notes:
    notes = Notes()
    await store(perm_db, notes.a1, notes.b1, notes.b2, notes.b3, *notes.shares)
    return notes


@pytest.mark.parametrize(
    ("user_id", "action", "expected"),
    [
        ("alice", "read", {"a1", "b2", "b3"}),
        ("alice", "write", {"a1", "b3"}),
        ("alice", "delete", {"a1", "b3"}),
        ("bob", "read", {"b1", "b2", "b3"}),
        ("carol", "read", set()),
    ],
)
async def test_owner_rule_and_shares_select_the_right_rows(
    perm_db: DatabaseRuntime,
    shared_rbac: RbacPermissionAdapter,
    notes: Notes,
    user_id: str,
    action: PermissionAction,
    expected: set[str],
) -> None:
    filters = await shared_rbac.get_permitted_filters(
        person(user_id, "Employee"), "PermNote", action
    )
    by_id = {getattr(notes, n).id: n for n in ("a1", "b1", "b2", "b3")}
    assert {by_id[i] for i in await ids_selected(perm_db, PermNote, filters)} == expected


async def test_shares_are_an_alternative_not_a_restriction(
    shared_rbac: RbacPermissionAdapter, notes: Notes
) -> None:
    filters = await shared_rbac.get_permitted_filters(person("alice", "Employee"), "PermNote")
    assert len(filters) == 1
    assert isinstance(filters[0], FilterGroup)
    owner, shared = filters[0].any_of
    assert owner == (FilterSpec(field="owner", value="alice"),)
    # The shares are a subquery of the same statement: no round trip, never stale.
    assert shared == (SharedWith(user_id="alice", action="read"),)


async def test_a_share_reaches_a_user_with_no_own_rows(
    perm_db: DatabaseRuntime, shared_rbac: RbacPermissionAdapter
) -> None:
    mine = PermTeamNote(title="sales", team="sales")
    other = PermTeamNote(title="ops", team="ops")
    await store(
        perm_db,
        mine,
        other,
        DocumentShare(doctype="PermTeamNote", document_id=other.id, user_id="loner"),
    )
    loner = person("loner")
    filters = await shared_rbac.get_permitted_filters(loner, "PermTeamNote")
    assert await ids_selected(perm_db, PermTeamNote, filters) == {other.id}
    assert await ids_selected(perm_db, PermTeamNote, NOTHING) == set()


async def test_team_and_field_rules_select_the_right_rows(
    perm_db: DatabaseRuntime, rbac: RbacPermissionAdapter
) -> None:
    sales = PermTeamNote(title="s", team="sales")
    ops = PermTeamNote(title="o", team="ops")
    loose = PermTeamNote(title="none")
    emea = PermRegionNote(title="e", region="emea")
    apac = PermRegionNote(title="a", region="apac")
    amer = PermRegionNote(title="m", region="amer")
    await store(perm_db, sales, ops, loose, emea, apac, amer)

    async def teams(*names: str) -> set[UUID]:
        filters = await rbac.get_permitted_filters(person("t", teams=names), "PermTeamNote")
        return await ids_selected(perm_db, PermTeamNote, filters)

    async def regions(value: object) -> set[UUID]:
        user = person("r", attributes={"region": value})
        filters = await rbac.get_permitted_filters(user, "PermRegionNote")
        return await ids_selected(perm_db, PermRegionNote, filters)

    assert await teams("sales") == {sales.id}
    assert await teams("sales", "ops") == {sales.id, ops.id}
    assert await teams() == set()
    assert await regions("emea") == {emea.id}
    assert await regions(["emea", "apac"]) == {emea.id, apac.id}
    assert await regions(None) == set()
    assert await ids_selected(perm_db, PermTeamNote, []) == {sales.id, ops.id, loose.id}


async def test_shared_ids_are_read_across_pages(
    perm_db: DatabaseRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shares_module, "_PAGE", 2)
    docs = [PermNote(title=str(i), owner="bob") for i in range(5)]
    await store(
        perm_db,
        *docs,
        *(DocumentShare(doctype="PermNote", document_id=d.id, user_id="alice") for d in docs),
    )
    lookup = ShareLookup(perm_db.repositories, perm_db.unit_of_work)
    assert set(await lookup.shared_ids("alice", "PermNote", "read")) == {d.id for d in docs}
    assert await lookup.shared_ids("alice", "PermNote", "write") == []
    assert await lookup.shared_ids("alice", "PermNote", "create") == []


# ---------------------------------------------------------------- has_permission with a document
async def test_has_permission_on_a_document(
    shared_rbac: RbacPermissionAdapter, notes: Notes
) -> None:
    alice = person("alice", "Employee")
    assert await shared_rbac.has_permission(alice, "PermNote", "read", notes.a1)
    assert await shared_rbac.has_permission(alice, "PermNote", "write", notes.a1)
    assert not await shared_rbac.has_permission(alice, "PermNote", "read", notes.b1)
    assert await shared_rbac.has_permission(alice, "PermNote", "read", notes.b2)
    assert not await shared_rbac.has_permission(alice, "PermNote", "write", notes.b2)
    assert await shared_rbac.has_permission(alice, "PermNote", "read", notes.b3)
    assert await shared_rbac.has_permission(alice, "PermNote", "write", notes.b3)
    # A mapping works as well, with the id as a string.
    assert await shared_rbac.has_permission(
        alice, "PermNote", "write", {"id": str(notes.b3.id), "owner": "bob"}
    )
    assert not await shared_rbac.has_permission(
        alice, "PermNote", "write", {"id": str(notes.b2.id), "owner": "bob"}
    )
    # b1's id is shared with alice as a PermTeamNote only: it opens that DocType, not PermNote.
    assert await shared_rbac.has_permission(
        alice, "PermTeamNote", "read", {"id": notes.b1.id, "team": "x"}
    )
    assert not await shared_rbac.has_permission(
        alice, "PermTeamNote", "read", {"id": notes.b2.id, "team": "x"}
    )
    # The role check comes first: a share does not replace a role.
    assert not await shared_rbac.has_permission(person("alice"), "PermNote", "read", notes.a1)
    assert await shared_rbac.has_permission(ADMIN, "PermNote", "delete", notes.b1)


async def test_has_permission_on_team_and_field_documents(rbac: RbacPermissionAdapter) -> None:
    seller = person("s", teams=("sales",), attributes={"region": ["emea", "apac"]})
    assert await rbac.has_permission(
        seller, "PermTeamNote", "read", PermTeamNote(title="x", team="sales")
    )
    assert not await rbac.has_permission(
        seller, "PermTeamNote", "read", PermTeamNote(title="x", team="ops")
    )
    assert not await rbac.has_permission(seller, "PermTeamNote", "read", PermTeamNote(title="x"))
    assert await rbac.has_permission(seller, "PermRegionNote", "read", {"region": "apac"})
    assert not await rbac.has_permission(seller, "PermRegionNote", "read", {"region": "amer"})
    assert not await rbac.has_permission(person("n"), "PermRegionNote", "read", {"region": "emea"})


async def test_a_new_document_is_owned_by_its_creator(rbac: RbacPermissionAdapter) -> None:
    alice = person("alice", "Employee")
    assert await rbac.has_permission(alice, "PermNote", "create", PermNote(title="new"))
    assert not await rbac.has_permission(alice, "PermNote", "write", PermNote(title="new"))
    assert not await rbac.has_permission(
        alice, "PermNote", "create", PermNote(title="new", owner="bob")
    )


async def test_whether_a_user_has_shares_is_cached_but_shares_are_read_fresh(
    perm_db: DatabaseRuntime,
) -> None:
    now = [100.0]
    lookup = ShareLookup(perm_db.repositories, perm_db.unit_of_work, ttl=5, clock=lambda: now[0])
    mine = PermNote(title="mine", owner="bob")
    await store(perm_db, mine)
    assert await lookup.condition("alice", "PermNote", "read") is None
    share = DocumentShare(doctype="PermNote", document_id=mine.id, user_id="alice")
    await store(perm_db, share)
    # Another process's new share shows after the cache's time-to-live, or at once here.
    assert await lookup.condition("alice", "PermNote", "read") is None
    now[0] += 6
    shared = await lookup.condition("alice", "PermNote", "read")
    assert shared == SharedWith(user_id="alice", action="read")
    assert await ids_selected(perm_db, PermNote, [FilterGroup(any_of=((shared,),))]) == {mine.id}
    # Revoking is never late: the yes is cached, the shared ids are read by the query itself.
    async with perm_db.unit_of_work() as uow:
        await perm_db.repositories.get(DocumentShare).delete(uow.session, share.id)
        await uow.commit()
    assert await lookup.condition("alice", "PermNote", "read") == shared
    assert await ids_selected(perm_db, PermNote, [FilterGroup(any_of=((shared,),))]) == set()
    lookup.invalidate()
    assert await lookup.condition("alice", "PermNote", "read") is None
