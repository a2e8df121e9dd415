"""The Ticket DocType and its child table of comments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from framework_m import ChildDocType, DocType, Field, Link
from helpdesk.doctypes.contact.doctype import Contact
from helpdesk.doctypes.customer.doctype import Customer
from helpdesk.roles import MANAGERS, SUPPORT, Team

Priority = Literal["Low", "Medium", "High", "Urgent"]
Status = Literal["Open", "In Progress", "Waiting on Customer", "Resolved", "Closed"]
DONE: frozenset[Status] = frozenset({"Resolved", "Closed"})


class TicketComment(ChildDocType):
    body: str = Field(min_length=1, max_length=5000)
    author: str | None = Field(default=None, max_length=254)
    """The e-mail of whoever wrote it; the controller fills it in."""
    internal: bool = False
    """A note between agents, not a reply to the customer."""


class Ticket(DocType):
    subject: str = Field(min_length=1, max_length=140)
    description: str | None = Field(default=None, max_length=10_000)
    customer: Annotated[UUID, Link(Customer)]
    contact: Annotated[UUID | None, Link(Contact, on_delete="SET NULL")] = None
    team: Team = "Technical"
    priority: Priority = "Medium"
    status: Status = "Open"
    assigned_to: str | None = Field(default=None, max_length=254, title="Assigned to")
    resolution: str | None = Field(default=None, max_length=5000)
    resolved_at: datetime | None = Field(default=None, title="Resolved at")
    comments: list[TicketComment] = Field(default_factory=list)

    class Meta:
        naming = "series:TKT-.YYYY.-.#####"  # TKT-2026-00001, restarting every year
        title_field = "subject"
        search_fields = ("subject",)
        # Agents and managers work tickets; only managers delete them.
        permissions = {"read": SUPPORT, "create": SUPPORT, "write": SUPPORT, "delete": MANAGERS}
        # Row-level security: a ticket is seen by the members of its team (user.teams).
        rls_field = "team"
        indexes = (("team", "status", "creation", "id"),)
        layout = {
            "sections": [
                {"label": "Request", "fields": ["subject", "customer", "contact", "description"]},
                {"label": "Handling", "fields": ["team", "priority", "status", "assigned_to"]},
                {"label": "Resolution", "fields": ["resolution", "resolved_at"]},
                {"label": "Comments", "fields": ["comments"]},
            ]
        }
