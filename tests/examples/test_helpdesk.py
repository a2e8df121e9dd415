"""The helpdesk demo's DocTypes, controllers, roles and seed, on SQLite and PostgreSQL.

Everything goes through ``DocumentService``, as the HTTP API does: permissions, row-level
security and controller hooks all apply.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from helpdesk.demo_data import ADMIN, AGENT, CONTACTS, CUSTOMERS, DEMO_USERS, MANAGER, TICKETS
from helpdesk.doctypes.contact.doctype import Contact
from helpdesk.doctypes.customer.doctype import Customer
from helpdesk.doctypes.ticket.doctype import Ticket
from helpdesk.seed import seed
from helpdesk_site import Site

from framework_m import FilterSpec, PermissionDeniedError, ValidationError
from framework_m_core.exceptions import ConflictError
from framework_m_core.registry import MetaRegistry

YEAR = datetime.now(UTC).year


async def _customer(site: Site, name: str) -> Customer:
    admin = await site.actor(ADMIN.email)
    page = await site.documents.list(
        admin, Customer, filters=[FilterSpec(field="customer_name", value=name)]
    )
    assert len(page.items) == 1
    return page.items[0]


async def _new_ticket(site: Site, email: str, **values: Any) -> Ticket:
    acme = await _customer(site, "Acme Corp")
    data = {"subject": "Printer on fire", "customer": acme.id, **values}
    return await site.documents.create(await site.actor(email), Ticket, data)


# ---------------------------------------------------------------- seed
async def test_seed_creates_the_demo_data_once(site: Site) -> None:
    expected = {
        "User": len(DEMO_USERS),
        "Customer": len(CUSTOMERS),
        "Contact": len(CONTACTS),
        "Ticket": len(TICKETS),
    }
    assert dict(site.report.created) == expected
    assert not site.report.existing

    again = await seed(site.documents, site.identity)
    assert not again.created
    assert dict(again.existing) == expected
    admin = await site.actor(ADMIN.email)
    for doctype in (Customer, Contact, Ticket):
        assert await site.documents.count(admin, doctype) == expected[doctype.__name__]


async def test_demo_logins_work_with_their_roles_and_teams(site: Site) -> None:
    for demo in DEMO_USERS:
        user = await site.identity.verify_password(demo.email, demo.password)
        assert user is not None, demo.email
        assert (tuple(user.roles), tuple(user.teams)) == (demo.roles, demo.teams)
        assert await site.identity.verify_password(demo.email, "not-the-password") is None


async def test_seeded_records_went_through_the_controllers(site: Site) -> None:
    acme = await _customer(site, "Acme Corp")
    assert acme.name == "Acme Corp"  # field naming
    assert acme.email == "support@acme.example"  # lower-cased by the controller
    admin = await site.actor(ADMIN.email)
    tickets = (await site.documents.list(admin, Ticket, limit=100)).items
    assert sorted(t.name or "" for t in tickets) == [
        f"TKT-{YEAR}-{n:05d}" for n in range(1, len(TICKETS) + 1)
    ]
    resolved = [t for t in tickets if t.status == "Resolved"]
    assert resolved
    assert all(t.resolved_at is not None for t in resolved)
    comments = [c for t in tickets for c in t.comments]
    assert comments
    assert {c.author for c in comments} == {AGENT.email}


# ---------------------------------------------------------------- controllers
async def test_ticket_names_follow_the_series(site: Site) -> None:
    first = await _new_ticket(site, AGENT.email)
    second = await _new_ticket(site, AGENT.email, subject="Printer still on fire")
    assert re.fullmatch(rf"TKT-{YEAR}-\d{{5}}", first.name or "")
    assert int((second.name or "")[-5:]) == int((first.name or "")[-5:]) + 1


async def test_a_ticket_cannot_be_resolved_without_a_resolution(site: Site) -> None:
    with pytest.raises(ValidationError, match="resolved without a resolution"):
        await _new_ticket(site, AGENT.email, status="Resolved")
    ticket = await _new_ticket(site, AGENT.email)
    agent = await site.actor(AGENT.email)
    with pytest.raises(ValidationError, match="closed without a resolution"):
        await site.documents.update(agent, Ticket, ticket.id, {"status": "Closed"})


async def test_resolving_stamps_the_time_and_reopening_clears_it(site: Site) -> None:
    agent = await site.actor(AGENT.email)
    ticket = await _new_ticket(site, AGENT.email)
    assert ticket.resolved_at is None
    done = await site.documents.update(
        agent, Ticket, ticket.id, {"status": "Resolved", "resolution": "Extinguished"}
    )
    assert done.resolved_at is not None
    reopened = await site.documents.update(agent, Ticket, ticket.id, {"status": "Open"})
    assert reopened.resolved_at is None
    stored = await site.documents.get(agent, Ticket, ticket.id)
    assert stored.resolved_at is None


async def test_an_urgent_ticket_needs_an_assignee(site: Site) -> None:
    with pytest.raises(ValidationError, match="urgent ticket must be assigned"):
        await _new_ticket(site, AGENT.email, priority="Urgent")
    ticket = await _new_ticket(site, AGENT.email, priority="Urgent", assigned_to=AGENT.email)
    assert ticket.priority == "Urgent"


async def test_comments_are_saved_with_their_author(site: Site) -> None:
    manager = await site.actor(MANAGER.email)
    ticket = await _new_ticket(
        site,
        MANAGER.email,
        comments=[{"body": "Looking into it"}, {"body": "Quoted", "author": "hank@globex.example"}],
    )
    stored = await site.documents.get(manager, Ticket, ticket.id)
    # The acting user signs a comment that names no author; a given author is kept.
    assert [(c.body, c.author, c.idx) for c in stored.comments] == [
        ("Looking into it", MANAGER.email, 1),
        ("Quoted", "hank@globex.example", 2),
    ]


async def test_a_premium_customer_needs_a_phone_number(site: Site) -> None:
    manager = await site.actor(MANAGER.email)
    data = {"customer_name": "Umbrella", "email": "Ops@Umbrella.example", "tier": "Premium"}
    with pytest.raises(ValidationError, match="phone number"):
        await site.documents.create(manager, Customer, data)
    created = await site.documents.create(manager, Customer, {**data, "phone": "+1 555 0199"})
    assert (created.name, created.email) == ("Umbrella", "ops@umbrella.example")


# ---------------------------------------------------------------- roles
async def test_only_managers_manage_customers(site: Site) -> None:
    agent, manager = await site.actor(AGENT.email), await site.actor(MANAGER.email)
    data = {"customer_name": "Hooli", "email": "it@hooli.example"}
    with pytest.raises(PermissionDeniedError):
        await site.documents.create(agent, Customer, data)
    hooli = await site.documents.create(manager, Customer, data)
    with pytest.raises(PermissionDeniedError):
        await site.documents.update(agent, Customer, hooli.id, {"phone": "1"})
    with pytest.raises(PermissionDeniedError):
        await site.documents.delete(agent, Customer, hooli.id)
    await site.documents.delete(manager, Customer, hooli.id)
    assert await site.documents.count(manager, Customer) == len(CUSTOMERS)


async def test_agents_do_not_see_what_a_customer_pays(site: Site) -> None:
    agent, manager = await site.actor(AGENT.email), await site.actor(MANAGER.email)
    acme = await _customer(site, "Acme Corp")
    as_agent = site.documents.serialize(agent, await site.documents.get(agent, Customer, acme.id))
    as_manager = site.documents.serialize(manager, acme)
    assert "annual_value" not in as_agent
    assert float(as_manager["annual_value"]) == 48000


async def test_only_managers_delete_tickets(site: Site) -> None:
    agent, manager = await site.actor(AGENT.email), await site.actor(MANAGER.email)
    ticket = await _new_ticket(site, AGENT.email)
    with pytest.raises(PermissionDeniedError):
        await site.documents.delete(agent, Ticket, ticket.id)
    await site.documents.delete(manager, Ticket, ticket.id)
    assert not (
        await site.documents.list(
            manager, Ticket, filters=[FilterSpec(field="id", value=ticket.id)]
        )
    ).items


async def test_agents_see_only_their_teams_tickets(site: Site) -> None:
    agent, manager = await site.actor(AGENT.email), await site.actor(MANAGER.email)
    admin = await site.actor(ADMIN.email)
    seen_by_agent = (await site.documents.list(agent, Ticket, limit=100)).items
    assert seen_by_agent
    assert {t.team for t in seen_by_agent} == {"Technical"}
    assert {t.team for t in (await site.documents.list(manager, Ticket, limit=100)).items} == {
        "Technical",
        "Billing",
    }
    everything = (await site.documents.list(admin, Ticket, limit=100)).items
    billing = next(t for t in everything if t.team == "Billing")
    with pytest.raises(PermissionDeniedError):
        await site.documents.get(agent, Ticket, billing.id)
    with pytest.raises(PermissionDeniedError):
        await site.documents.update(agent, Ticket, billing.id, {"priority": "Low"})


async def test_a_customer_with_contacts_or_tickets_cannot_be_deleted(site: Site) -> None:
    manager = await site.actor(MANAGER.email)
    acme = await _customer(site, "Acme Corp")
    with pytest.raises(ConflictError):
        await site.documents.delete(manager, Customer, acme.id)
    assert (await _customer(site, "Acme Corp")).id == acme.id


# ---------------------------------------------------------------- discovery
def test_the_app_is_found_from_the_apps_setting() -> None:
    registry = MetaRegistry()
    assert registry.load_apps(["helpdesk"]) == ["helpdesk"]
    assert sorted(registry.list_doctypes()) == ["Contact", "Customer", "Ticket", "TicketComment"]
    for doctype in (Customer, Contact, Ticket):
        controller = registry.get_controller(doctype.get_doctype_name())
        assert controller is not None
        assert controller.doctype is doctype
    assert registry.get_doctype("TicketComment").get_meta().is_child_table
