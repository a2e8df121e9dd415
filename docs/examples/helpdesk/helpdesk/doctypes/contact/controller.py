"""Business rules of a Contact."""

from __future__ import annotations

from framework_m import Controller, HookContext
from helpdesk.doctypes.contact.doctype import Contact


class ContactController(Controller[Contact]):
    async def before_save(self, context: HookContext | None = None) -> None:
        # One spelling per address, so (customer, email) stays unique however it is typed.
        self.doc.email = self.doc.email.strip().lower()
