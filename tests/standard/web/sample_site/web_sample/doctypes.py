"""DocTypes of the HTTP tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from framework_m import (
    ChildDocType,
    Controller,
    DocType,
    Link,
    RpcContext,
    SubmittableMixin,
    whitelist,
)

STAFF = ["Employee"]
ALL_ACTIONS = dict.fromkeys(("read", "write", "create", "delete", "submit", "cancel"), STAFF)


class Note(DocType):
    title: str = Field(min_length=1, max_length=140, title="Title", description="What it is about")
    body: str | None = Field(default=None, max_length=10_000)
    priority: int = Field(default=0, ge=0, le=10)
    status: Literal["open", "done"] = "open"
    salary: int | None = None

    class Meta:
        rls_field = "owner"
        permissions = ALL_ACTIONS
        title_field = "title"
        field_permissions = {"salary": ["HR"]}
        layout = {"sections": [{"label": "Main", "fields": ["title", "body", "priority"]}]}


class NoteController(Controller[Note]):
    @whitelist
    async def summary(self, prefix: str = "") -> str:
        return f"{prefix}{self.doc.title}"

    @whitelist(permission="write")
    async def bump(self, ctx: RpcContext, by: int = 1) -> int:
        updated = await ctx.documents.update(
            ctx.extra["actor"], Note, self.doc.id, {"priority": self.doc.priority + by}
        )
        return int(updated.priority)

    @whitelist
    @staticmethod
    def ping(n: int) -> dict[str, int]:
        return {"pong": n}

    async def not_exposed(self) -> str:
        return "secret"


class Project(DocType):
    title: str = Field(min_length=1, max_length=140)
    team: str = Field(max_length=140)

    class Meta:
        rls_field = "team"
        permissions = ALL_ACTIONS


class Customer(DocType):
    customer_name: str = Field(min_length=1, max_length=140)

    class Meta:
        naming = "field:customer_name"
        permissions = ALL_ACTIONS


class OrderLine(ChildDocType):
    item: str = Field(min_length=1, max_length=140)
    qty: int = Field(default=1, ge=1, le=1_000_000)
    rate: Decimal = Field(default=Decimal("0"), ge=0, max_digits=12, decimal_places=2)


class Order(DocType, SubmittableMixin):
    customer: Annotated[UUID, Link(Customer)]
    notes: str | None = Field(default=None, max_length=1000)
    lines: list[OrderLine] = Field(default_factory=list)

    class Meta:
        naming = "series:ORD-.####"
        is_submittable = True
        permissions = ALL_ACTIONS


class Ticket(DocType):
    """Isolated per tenant in multi-tenant mode (it has the ``tenant_id`` field)."""

    subject: str = Field(min_length=1, max_length=140)
    tenant_id: str | None = Field(default=None, max_length=140)

    class Meta:
        permissions = ALL_ACTIONS
