"""The Contact DocType."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from framework_m import DocType, Field, Link
from helpdesk.doctypes.customer.doctype import EMAIL_PATTERN, Customer
from helpdesk.roles import MANAGERS, SUPPORT


class Contact(DocType):
    full_name: str = Field(min_length=1, max_length=140, title="Full name")
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    phone: str | None = Field(default=None, max_length=40)
    # A contact belongs to one customer; a customer with contacts cannot be deleted.
    customer: Annotated[UUID, Link(Customer)]

    class Meta:
        title_field = "full_name"
        search_fields = ("full_name", "email")
        # Agents add the people who write in; removing one is for managers.
        permissions = {"read": SUPPORT, "create": SUPPORT, "write": SUPPORT, "delete": MANAGERS}
        unique_together = (("customer", "email"),)
