"""Business rules of a Ticket."""

from __future__ import annotations

from datetime import UTC, datetime

from framework_m import Controller, HookContext, ValidationError
from helpdesk.doctypes.ticket.doctype import DONE, Ticket


class TicketController(Controller[Ticket]):
    async def validate(self, context: HookContext | None = None) -> None:
        ticket = self.doc
        if ticket.status in DONE and not (ticket.resolution or "").strip():
            raise ValidationError(
                f"A ticket cannot be {ticket.status.lower()} without a resolution",
                field="resolution",
            )
        if ticket.priority == "Urgent" and not ticket.assigned_to:
            # Nobody's job is nobody's job: urgent work always has an owner.
            raise ValidationError(
                "An urgent ticket must be assigned to someone", field="assigned_to"
            )

    async def before_save(self, context: HookContext | None = None) -> None:
        ticket = self.doc
        if ticket.status in DONE:
            ticket.resolved_at = ticket.resolved_at or datetime.now(UTC)
        else:
            ticket.resolved_at = None  # reopened
        author = getattr(context.user, "email", None) if context is not None else None
        for comment in ticket.comments:
            comment.author = comment.author or author
