"""The Customer DocType."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from framework_m import DocType, Field
from helpdesk.roles import MANAGERS, SUPPORT

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Customer(DocType):
    customer_name: str = Field(min_length=1, max_length=140, title="Customer name")
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN, title="Support e-mail")
    phone: str | None = Field(default=None, max_length=40)
    tier: Literal["Standard", "Premium"] = "Standard"
    annual_value: Decimal = Field(
        default=Decimal("0"), ge=0, max_digits=12, decimal_places=2, title="Annual value"
    )

    class Meta:
        naming = "field:customer_name"  # the name is the customer's name: "Acme Corp"
        title_field = "customer_name"
        search_fields = ("customer_name", "email")
        # Agents look customers up; only managers add, change or remove them.
        permissions = {"read": SUPPORT, "create": MANAGERS, "write": MANAGERS, "delete": MANAGERS}
        # What a customer pays is the managers' business: agents never see the field.
        field_permissions = {"annual_value": MANAGERS}
        layout = {
            "sections": [
                {"label": "Customer", "fields": ["customer_name", "tier"]},
                {"label": "Contact", "fields": ["email", "phone"]},
                {"label": "Account", "fields": ["annual_value"]},
            ]
        }
