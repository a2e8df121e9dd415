"""Bench DocTypes: the same shape with row-level security on and off, a parent with children,
and a large table for count and keyset pagination."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from framework_m import ChildDocType, DocType

STAFF = ["Employee"]
CRUD = dict.fromkeys(("read", "write", "create", "delete"), STAFF)


class BenchItem(DocType):
    """Row-level security by owner: each user sees only their own rows."""

    title: str = Field(min_length=1, max_length=140)
    status: Literal["open", "closed"] = "open"
    qty: int = Field(default=0, ge=0)
    amount: float = 0.0
    notes: str | None = Field(default=None, max_length=1000)

    class Meta:
        rls_field = "owner"
        permissions = CRUD
        # Ends in id because every sort does (id breaks ties): the page comes off the index.
        indexes = (("owner", "status", "creation", "id"),)


class BenchOpenItem(DocType):
    """The same as BenchItem without row-level security: the RLS-off side of the comparison."""

    title: str = Field(min_length=1, max_length=140)
    status: Literal["open", "closed"] = "open"
    qty: int = Field(default=0, ge=0)
    amount: float = 0.0
    notes: str | None = Field(default=None, max_length=1000)

    class Meta:
        permissions = CRUD
        # Its list has no owner condition: the index that serves it starts at status, as
        # BenchItem's serves the list with one. Each side reads its page off an index, so the
        # RLS cost measured is the framework's, not a sort one side does and the other not.
        indexes = (("status", "creation", "id"),)


class BenchLine(ChildDocType):
    item: str = Field(min_length=1, max_length=140)
    qty: int = Field(default=1, ge=1)
    rate: float = 0.0


class BenchOrder(DocType):
    customer: str = Field(min_length=1, max_length=140)
    lines: list[BenchLine] = Field(default_factory=list)

    class Meta:
        rls_field = "owner"
        permissions = CRUD


class BenchEvent(DocType):
    """A large table (1,000,000 rows in the count and deep-page scenarios)."""

    kind: str = Field(max_length=40)
    value: int = 0

    class Meta:
        permissions = CRUD
        indexes = (("kind", "creation"),)
