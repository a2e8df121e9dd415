"""Seeding the demo data (``helpdesk.demo_data``) into a site.

``python -m helpdesk.seed`` seeds the database the settings name (``scripts/demo.sh`` runs it
in this app's directory, after ``m migrate``). Every record goes through the services the HTTP
API uses: users through the identity service (argon2id hashes), documents through
``DocumentService`` as the demo user who would create them, so controllers, permissions and
row-level security apply to the seed too. Seeding again changes nothing: records are looked
up by a natural key (e-mail, customer name, ticket subject) and created only when missing; an
existing user is left as it is.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar
from uuid import UUID

from framework_m import Actor, DocType, FilterSpec, FrameworkError, UserContext
from framework_m_core.bootstrap import Bootstrap
from framework_m_core.doctypes import User
from framework_m_core.services.documents import DocumentService
from framework_m_core.settings import Settings, load_settings
from helpdesk.demo_data import AGENT, CONTACTS, CUSTOMERS, DEMO_USERS, MANAGER, TICKETS
from helpdesk.doctypes.contact.doctype import Contact
from helpdesk.doctypes.customer.doctype import Customer
from helpdesk.doctypes.ticket.doctype import Ticket

D = TypeVar("D", bound=DocType)


class Accounts(Protocol):
    """What the seed needs of the identity service (``LocalIdentityAdapter``)."""

    async def find_by_email(self, email: str) -> User | None: ...

    async def create_user(
        self,
        email: str,
        password: str | None,
        *,
        full_name: str | None = None,
        roles: Iterable[str] = (),
        teams: Iterable[str] = (),
    ) -> User: ...


@dataclass
class SeedReport:
    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        kinds = ("User", "Customer", "Contact", "Ticket")
        parts = [
            f"{self.created[k] + self.existing[k]} {k}s ({self.created[k]} new)" for k in kinds
        ]
        return "Seeded: " + ", ".join(parts)


async def seed(documents: DocumentService, accounts: Accounts) -> SeedReport:
    """Create whatever of the demo data is missing; the report counts new and existing records."""
    report = SeedReport()
    actors: dict[str, Actor] = {}
    for demo in DEMO_USERS:
        user = await accounts.find_by_email(demo.email)
        if user is None:
            user = await accounts.create_user(
                demo.email,
                demo.password,
                full_name=demo.full_name,
                roles=demo.roles,
                teams=demo.teams,
            )
            report.created["User"] += 1
        else:
            report.existing["User"] += 1
        actors[demo.email] = Actor(
            user=UserContext(
                id=str(user.id),
                email=user.email,
                name=user.full_name,
                roles=list(user.roles),
                teams=list(user.teams),
            )
        )

    manager, agent = actors[MANAGER.email], actors[AGENT.email]
    customers: dict[str, UUID] = {}
    for values in CUSTOMERS:
        name = values["customer_name"]
        customer = await _ensure(report, documents, manager, Customer, "customer_name", values)
        customers[name] = customer.id

    contacts: dict[str, UUID] = {}
    for customer_name, values in CONTACTS:
        data = {**values, "customer": customers[customer_name]}
        contact = await _ensure(report, documents, agent, Contact, "email", data)
        contacts[values["email"]] = contact.id

    for ticket in TICKETS:
        data = {
            **ticket.values,
            "customer": customers[ticket.customer],
            "contact": contacts[ticket.contact] if ticket.contact else None,
        }
        await _ensure(report, documents, actors[ticket.by.email], Ticket, "subject", data)
    return report


async def _ensure(
    report: SeedReport,
    documents: DocumentService,
    actor: Actor,
    doctype: type[D],
    key: str,
    values: Mapping[str, Any],
) -> D:
    """The document whose ``key`` field has this value, created as ``actor`` if there is none."""
    found = await documents.list(
        actor, doctype, filters=[FilterSpec(field=key, value=values[key])], limit=1
    )
    kind = doctype.get_doctype_name()
    if found.items:
        report.existing[kind] += 1
        return found.items[0]
    report.created[kind] += 1
    return await documents.create(actor, doctype, dict(values))


async def seed_site(settings: Settings) -> SeedReport:
    """Start the framework on these settings, seed, and stop it again."""
    async with Bootstrap(settings) as context:
        return await seed(context.state["documents"], context.state["auth"].identity)


def logins() -> str:
    """The demo accounts, one line each, for people to sign in with."""
    width = max(len(user.email) for user in DEMO_USERS)
    return "\n".join(
        f"  {user.email:<{width}}  password {user.password:<18} {', '.join(user.roles)}"
        + (f" (teams: {', '.join(user.teams)})" if user.teams else "")
        for user in DEMO_USERS
    )


def main() -> None:
    try:
        report = asyncio.run(seed_site(load_settings()))
    except FrameworkError as exc:
        # What a user can fix (settings, an unreachable database): one line, no traceback.
        print(f"helpdesk.seed: error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print(report.summary())
    print("Demo logins:")
    print(logins())


if __name__ == "__main__":
    main()
