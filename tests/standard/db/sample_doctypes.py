"""DocTypes used by the database tests: every supported field type, a child table, Links."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from framework_m_core.domain.base_controller import BaseController, HookContext
from framework_m_core.domain.base_doctype import BaseChildDocType, BaseDocType
from framework_m_core.domain.link import Link
from framework_m_core.domain.mixins import SubmittableMixin
from framework_m_core.exceptions import ValidationError
from framework_m_core.registry import MetaRegistry


class Priority(Enum):
    LOW = "low"
    HIGH = "high"


class Address(BaseModel):
    street: str
    city: str


class Customer(BaseDocType):
    customer_name: str = Field(max_length=140)
    email: str | None = None

    class Meta:
        naming = "field:customer_name"


class InvoiceItem(BaseChildDocType):
    item: str
    qty: int = 1
    rate: Decimal = Decimal("0")
    supplier: Annotated[UUID | None, Link(Customer)] = None


class Invoice(BaseDocType, SubmittableMixin):
    title: str = Field(max_length=200)
    count: int = 0
    ratio: float = 0.0
    paid: bool = False
    due: date | None = None
    posted_at: datetime | None = None
    amount: Decimal = Field(default=Decimal("0"), max_digits=18, decimal_places=4)
    reference: UUID | None = None
    priority: Priority = Priority.LOW
    channel: Literal["web", "phone"] = "web"
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    address: Address | None = None
    history: list[Address] = Field(default_factory=list)
    note: str | None = None
    customer: Annotated[UUID, Link(Customer)]
    items: list[InvoiceItem] = Field(default_factory=list)

    class Meta:
        naming = "series:INV-.YYYY.-.####"
        is_submittable = True
        indexes = (("customer", "due"),)


class InvoiceController(BaseController[Invoice]):
    """Rejects titles containing 'reject' in validate, and 'explode' after the insert."""

    calls: list[str] = []

    async def validate(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("validate")
        if "reject" in self.doc.title:
            raise ValidationError("title rejected")

    async def before_insert(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("before_insert")

    async def before_save(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("before_save")

    async def after_insert(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("after_insert")
        if "explode" in self.doc.title:
            raise RuntimeError("after_insert failed")

    async def after_save(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("after_save")

    async def before_submit(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("before_submit")

    async def on_submit(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("on_submit")

    async def before_cancel(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("before_cancel")

    async def on_cancel(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("on_cancel")

    async def before_delete(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("before_delete")

    async def after_delete(self, context: HookContext | None = None) -> None:
        InvoiceController.calls.append("after_delete")


class Note(BaseDocType):
    """Soft-deleted, no optimistic concurrency."""

    body: str

    class Meta:
        soft_delete = True
        concurrency = "none"


def registry() -> MetaRegistry:
    reg = MetaRegistry()
    reg.register_doctype(Customer)
    reg.register_doctype(InvoiceItem)
    reg.register_doctype(Invoice, InvoiceController)  # type: ignore[arg-type]
    reg.register_doctype(Note)
    return reg
