"""Business rules of a Customer."""

from __future__ import annotations

from framework_m import Controller, HookContext, ValidationError
from helpdesk.doctypes.customer.doctype import Customer


class CustomerController(Controller[Customer]):
    async def validate(self, context: HookContext | None = None) -> None:
        # Premium support promises a call back: there must be a number to call.
        if self.doc.tier == "Premium" and not (self.doc.phone or "").strip():
            raise ValidationError("A Premium customer needs a phone number", field="phone")

    async def before_save(self, context: HookContext | None = None) -> None:
        # Stored lower-case, so a search for the address finds it however it was typed.
        self.doc.email = self.doc.email.strip().lower()
        self.doc.customer_name = self.doc.customer_name.strip()
