"""The demo data: one login per role, customers with their contacts, and tickets.

``helpdesk.seed`` creates it; the tests and ``scripts/demo.sh`` read the logins from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpdesk.roles import SUPPORT_AGENT, SUPPORT_MANAGER, SYSTEM_MANAGER, TEAMS


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
