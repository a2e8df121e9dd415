"""DocTypes of the data import/export tests: a unique field, hidden and JSON fields, RLS,
a naming series, a child table and a controller whose hooks an import must run."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from framework_m import ChildDocType, Controller, DocType, HookContext, ValidationError

CLERKS = ["Clerk"]


class Member(DocType):
    full_name: str = Field(min_length=1, max_length=140)
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    age: int | None = Field(default=None, ge=0, le=150)
    active: bool = True
    tags: list[str] = Field(default_factory=list)
    salary: int | None = None

    class Meta:
        rls_field = "owner"
        unique_together = (("email",),)
        field_permissions = {"salary": ["HR"]}
        permissions = {
            "read": ["Clerk", "Viewer"],
            "write": CLERKS,
            "create": CLERKS,
            "delete": CLERKS,
        }


class BillLine(ChildDocType):
    item: str = Field(min_length=1, max_length=140)
    qty: int = Field(default=1, ge=1)
    rate: Decimal = Field(default=Decimal("0"), ge=0, max_digits=12, decimal_places=2)


class Bill(DocType):
    customer: str = Field(min_length=1, max_length=140)
    lines: list[BillLine] = Field(default_factory=list)
    total: Decimal = Field(default=Decimal("0"), max_digits=14, decimal_places=2)
    checked_by: str | None = None

    class Meta:
        naming = "series:BILL-.####"
        permissions = dict.fromkeys(("read", "write", "create", "delete"), CLERKS)


class BillController(Controller[Bill]):
    async def validate(self, context: HookContext | None = None) -> None:
        if self.doc.customer == "Refused Ltd":
            raise ValidationError("Refused Ltd may not be billed")

    async def before_save(self, context: HookContext | None = None) -> None:
        self.doc.total = sum((line.rate * line.qty for line in self.doc.lines), Decimal("0"))
        self.doc.checked_by = "controller"


class Ticket(DocType):
    """Isolated per tenant on a multi-tenant site (it has the ``tenant_id`` field)."""

    subject: str = Field(min_length=1, max_length=140)
    tenant_id: str | None = Field(default=None, max_length=140)

    class Meta:
        permissions = dict.fromkeys(("read", "write", "create", "delete"), CLERKS)
