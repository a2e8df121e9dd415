"""The resolved metadata of a DocType: its nested ``Meta`` merged along the class hierarchy."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Action = Literal["read", "write", "create", "delete", "submit", "cancel", "amend"]
Concurrency = Literal["optimistic", "none"]

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """``SalesInvoiceItem`` -> ``sales_invoice_item``: the default table name of a DocType."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


class DocTypeMeta(BaseModel):
    """What the engine knows about a DocType besides its fields.

    App developers write these as attributes of a nested ``class Meta``; a subclass inherits
    its parents' values and overrides only what it names.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    """DocType name as used at the edges (URLs, entry points); the class name by default."""
    table_name: str
    """Database table; the snake_case class name by default."""
    label: str = ""
    description: str = ""
    naming: str = "uuid"
    """``uuid`` | ``field:<fieldname>`` | ``series:<pattern>`` (e.g. ``INV-.YYYY.-.####``) | ``prompt``."""
    permissions: dict[str, list[str]] = Field(default_factory=dict)
    """Action (read, write, create, delete, submit) -> roles allowed to perform it."""
    rls_field: str | None = None
    """Row-level security: the field whose value must match the user (``owner``, ``team``, ...)."""
    api_resource: bool = True
    is_child_table: bool = False
    is_submittable: bool = False
    indexes: tuple[tuple[str, ...], ...] = ()
    """Extra (possibly composite) indexes, each a tuple of field names."""
    unique_together: tuple[tuple[str, ...], ...] = ()
    concurrency: Concurrency = "optimistic"
    soft_delete: bool = False
    """Whether ``delete`` keeps the row with ``deleted_at`` set (hard delete otherwise)."""
    bind: str = "default"
    """Which configured database the DocType lives in (virtual DocTypes on other binds)."""
    repository_class: Any = None
    """A custom repository (dotted path or class) used instead of the generic one."""
    layout: dict[str, Any] = Field(default_factory=dict)
    title_field: str | None = None
    """The field shown as the document's title in lists, links and search."""
    search_fields: tuple[str, ...] = ()
    """Fields a quick search looks in (besides ``name`` and the title field)."""
    list_fields: tuple[str, ...] = ()
    """The list view's default columns, in order; empty: the title field, then the select and
    required fields (at most five)."""
    sensitive_fields: tuple[str, ...] = ()
    """Never leave the server: not in API responses, events or the metadata schema, and not
    writable through the API (password hashes, token digests)."""
    field_permissions: dict[str, list[str]] = Field(default_factory=dict)
    """Field -> roles that may read and write it; other users never see the field."""
    tenant_scoped: bool | None = None
    """Isolate rows per tenant in multi-tenant mode; None: when the DocType has the tenant field."""


META_ATTRIBUTES = frozenset(DocTypeMeta.model_fields) - {"name"}
