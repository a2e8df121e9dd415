"""Demo data: one login per role, customers with their contacts, and tickets.

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
from helpdesk.doctypes.contact.doctype import Contact
from helpdesk.doctypes.customer.doctype import Customer
from helpdesk.doctypes.ticket.doctype import Ticket
from helpdesk.roles import SUPPORT_AGENT, SUPPORT_MANAGER, SYSTEM_MANAGER, TEAMS

D = TypeVar("D", bound=DocType)


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    full_name: str
    roles: tuple[str, ...]
    teams: tuple[str, ...] = ()


ADMIN = DemoUser("admin@helpdesk.example", "admin-demo-pass", "Ada Admin", (SYSTEM_MANAGER,))
MANAGER = DemoUser(
    "manager@helpdesk.example", "manager-demo-pass", "Morgan Manager", (SUPPORT_MANAGER,), TEAMS
)
AGENT = DemoUser(
    "agent@helpdesk.example", "agent-demo-pass", "Alex Agent", (SUPPORT_AGENT,), ("Technical",)
)
DEMO_USERS = (ADMIN, MANAGER, AGENT)

CUSTOMERS: tuple[dict[str, Any], ...] = (
    {
        "customer_name": "Acme Corp",
        "email": "Support@Acme.example",
        "phone": "+1 555 0100",
        "tier": "Premium",
        "annual_value": "48000.00",
    },
    {"customer_name": "Globex", "email": "help@globex.example", "annual_value": "12500.00"},
    {"customer_name": "Initech", "email": "it@initech.example", "annual_value": "3200.00"},
)

# (customer name, contact): added by the agent, who takes the calls.
CONTACTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Acme Corp", {"full_name": "Wile E. Coyote", "email": "wile@acme.example"}),
    ("Acme Corp", {"full_name": "Road Runner", "email": "beep@acme.example"}),
    ("Globex", {"full_name": "Hank Scorpio", "email": "hank@globex.example"}),
    ("Initech", {"full_name": "Peter Gibbons", "email": "peter@initech.example"}),
)


@dataclass(frozen=True)
class DemoTicket:
    by: DemoUser
    """Who raises it: the agent for Technical tickets, the manager (in every team) for Billing."""
    customer: str
    contact: str | None
    values: Mapping[str, Any]


TICKETS = (
    DemoTicket(
        AGENT,
        "Acme Corp",
        "wile@acme.example",
        {
            "subject": "Rocket skates explode on start-up",
            "description": "Every pair since the last firmware update. Urgent: a demo is due.",
            "priority": "Urgent",
            "status": "In Progress",
            "assigned_to": AGENT.email,
            "comments": [
                {"body": "Reproduced on firmware 2.1; rolling back fixes it.", "internal": True},
                {"body": "A fix is on its way; please stay on 2.0 meanwhile."},
            ],
        },
    ),
    DemoTicket(
        AGENT,
        "Acme Corp",
        "beep@acme.example",
        {
            "subject": "Cannot reset my password",
            "priority": "Low",
            "status": "Resolved",
            "resolution": "Reset link re-sent; the first one was caught by a spam filter.",
        },
    ),
    DemoTicket(
        AGENT,
        "Initech",
        "peter@initech.example",
        {
            "subject": "TPS report export is missing its cover sheet",
            "priority": "Medium",
            "comments": [{"body": "Which version of the export tool do you use?"}],
            "status": "Waiting on Customer",
        },
    ),
    DemoTicket(
        MANAGER,
        "Globex",
        "hank@globex.example",
        {
            "subject": "Invoice charged twice in March",
            "team": "Billing",
            "priority": "High",
            "assigned_to": MANAGER.email,
        },
    ),
    DemoTicket(
        MANAGER,
        "Initech",
        None,
        {"subject": "Upgrade to the Premium plan", "team": "Billing", "priority": "Low"},
    ),
)


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
