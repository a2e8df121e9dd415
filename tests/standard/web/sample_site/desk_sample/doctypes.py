"""``Gadget`` has a field of every ``fieldtype`` the metadata API names (``GadgetPart`` its
rows); ``Case`` is kept per team, for search."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from framework_m import ChildDocType, DocType, Link

STAFF = ["Employee"]


class Size(enum.StrEnum):
    SMALL = "S"
    LARGE = "L"


class GadgetPart(ChildDocType):
    part_name: str = Field(min_length=1, max_length=60)
    qty: int = Field(default=1, ge=1)
    cost: Decimal = Field(default=Decimal("0"), max_digits=10, decimal_places=2)
    """Only HR sees what a part costs."""

    class Meta:
        field_permissions = {"cost": ["HR"]}


class Gadget(DocType):
    code: str = Field(min_length=1, max_length=40, title="Code")
    notes: str | None = None
    summary: str | None = Field(
        default=None, max_length=200, json_schema_extra={"fieldtype": "text"}
    )
    pin: str | None = Field(
        default=None, max_length=64, json_schema_extra={"fieldtype": "password"}
    )
    count: int = 0
    ratio: float | None = None
    price: Decimal = Field(default=Decimal("0"), max_digits=12, decimal_places=2)
    active: bool = True
    kind: Literal["tool", "toy"] = "tool"
    size: Size = Size.SMALL
    due: date | None = None
    seen_at: datetime | None = None
    opens_at: time | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    customer: Annotated[UUID | None, Link("Customer")] = None
    ref: UUID | None = None
    parts: list[GadgetPart] = Field(default_factory=list)

    class Meta:
        title_field = "code"
        search_fields = ("notes",)
        permissions = dict.fromkeys(("read", "write", "create", "delete"), STAFF)
        field_permissions = {"ratio": ["HR"]}
        list_fields = ("code", "ratio", "kind", "price")


class Case(DocType):
    """Seen by its team only; ``codename`` only by HR (and admins), so nobody else finds by it."""

    subject: str = Field(min_length=1, max_length=140)
    team: str = Field(max_length=40)
    codename: str | None = Field(default=None, max_length=60)

    class Meta:
        title_field = "subject"
        search_fields = ("codename",)
        rls_field = "team"
        permissions = dict.fromkeys(("read", "write", "create", "delete"), STAFF)
        field_permissions = {"codename": ["HR"]}
