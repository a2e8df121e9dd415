"""``GET /api/v1/search``: documents by name, title or search fields across readable DocTypes.

The Desk's command palette, its dashboard ("recent documents") and its Link comboboxes ask
this. Every DocType is read through ``DocumentService.list_records``, so role permissions,
row-level security, shares, tenancy and hidden fields apply as on the list route.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get
from litestar.params import QueryParameter
from pydantic import BaseModel

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.interfaces.repository import Condition, FilterGroup, FilterSpec, OrderSpec
from framework_m_core.services.actor import Actor
from framework_m_core.services.documents import DocumentService
from framework_m_core.services.field_types import field_kind
from framework_m_standard.adapters.web.errors import ERROR_RESPONSES
from framework_m_standard.adapters.web.responses import json_response
from framework_m_standard.adapters.web.runtime import get_runtime
from framework_m_standard.adapters.web.security import actor_of

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
MAX_QUERY_LENGTH = 200
_TEXT_TYPES = frozenset({"data", "text"})
_NEWEST_FIRST = (OrderSpec(field="modified", direction="desc"),)


class SearchHit(BaseModel):
    doctype: str
    id: UUID
    name: str | None
    title: str | None
    """The value of the DocType's title field (None without one, or when it is empty)."""
    modified: datetime


class SearchResults(BaseModel):
    data: list[SearchHit]


def like_pattern(text: str) -> str:
    """``%text%`` with the text matched literally: ``\\``, ``%`` and ``_`` escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def searched_fields(doctype: type[BaseDocType], hidden: frozenset[str]) -> list[str]:
    """``name``, the title field and ``Meta.search_fields``: the text fields the actor may see."""
    meta = doctype.get_meta()
    fields: list[str] = []
    for name in ("name", meta.title_field, *meta.search_fields):
        info = doctype.model_fields.get(name or "")
        if name is None or info is None or name in hidden or name in fields:
            continue
        # LIKE on a number or a UUID column is an error on PostgreSQL: text fields only.
        if field_kind(name, info).fieldtype in _TEXT_TYPES:
            fields.append(name)
    return fields


async def _searchable_doctypes(
    documents: DocumentService, actor: Actor, names: list[str]
) -> list[type[BaseDocType]]:
    """The DocTypes asked for (404 unknown, 403 unreadable), or every readable one."""
    if names:
        chosen: list[type[BaseDocType]] = []
        for name in dict.fromkeys(names):
            doctype = documents.resource(name)
            await documents.authorize(actor, doctype, "read")
            chosen.append(doctype)
        return chosen
    readable = []
    user = actor.permission_user
    for doctype in documents.registry.doctypes():
        meta = doctype.get_meta()
        if not meta.api_resource or meta.is_child_table:
            continue
        if await documents.permission.has_permission(user, meta.name, "read"):
            readable.append(doctype)
    return readable


async def _search_one(
    documents: DocumentService, actor: Actor, doctype: type[BaseDocType], q: str, limit: int
) -> list[dict[str, Any]]:
    hidden = documents.hidden_fields(actor, doctype)
    fields = searched_fields(doctype, hidden)
    filters: list[Condition] = []
    if q:
        if not fields:
            return []
        pattern = like_pattern(q)
        filters.append(
            FilterGroup(
                any_of=tuple(
                    (FilterSpec(field=field, operator="ilike", value=pattern),) for field in fields
                )
            )
        )
    title_field = doctype.get_meta().title_field
    title_visible = title_field in doctype.model_fields and title_field not in hidden
    selected = [f for f in ("name", title_field, "modified") if f and f in doctype.model_fields]
    page = await documents.list_records(
        actor,
        doctype,
        # An OR-group is a Condition the service ANDs with its own row filters (and checks);
        # ``filters`` is typed as plain FilterSpecs only.
        filters=filters,  # type: ignore[arg-type]
        order_by=_NEWEST_FIRST,
        limit=limit,
        fields=[f for f in dict.fromkeys(selected) if f not in hidden],
    )
    name = doctype.get_doctype_name()
    hits = []
    for record in page.items:
        title = record.get(title_field) if title_visible and title_field else None
        hits.append(
            {
                "doctype": name,
                "id": record["id"],
                "name": record.get("name"),
                "title": None if title is None else str(title),
                "modified": record["modified"],
            }
        )
    return hits


def _newest_first(hit: dict[str, Any]) -> tuple[datetime, str]:
    modified = hit["modified"]
    moment = modified if isinstance(modified, datetime) else datetime.fromisoformat(modified)
    return moment, str(hit["id"])


@get(
    "/api/v1/search",
    tags=["search"],
    operation_id="searchDocuments",
    opt={"permission_note": "read on each DocType searched; row-level security applies"},
    responses={code: ERROR_RESPONSES[code] for code in (400, 401, 403, 404, 429)},
)
async def search_documents(
    request: Request[Any, Any, Any],
    q: Annotated[
        str,
        QueryParameter(
            description="Text found in the name, title or search fields, ignoring case; "
            "blank: the most recently modified documents",
            max_length=MAX_QUERY_LENGTH,
        ),
    ] = "",
    doctype: Annotated[
        list[str] | None,
        QueryParameter(description="Search only these DocTypes (repeatable); default: all"),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> SearchResults:
    """Documents whose name, title or search fields contain ``q``, newest change first.

    Searches every DocType the caller may read, or those named by ``doctype``; an unknown one
    is a 404, one the caller may not read a 403. Rows come through the same permission checks
    as the list route (roles, row-level security, shares, tenancy, hidden fields).
    """
    runtime, actor = get_runtime(request), actor_of(request)
    documents = runtime.documents
    doctypes = await _searchable_doctypes(documents, actor, doctype or [])
    text = q.strip()
    pages = await asyncio.gather(
        *(_search_one(documents, actor, each, text, limit) for each in doctypes)
    )
    hits = sorted((hit for page in pages for hit in page), key=_newest_first, reverse=True)
    return json_response({"data": hits[:limit]})  # type: ignore[return-value]


SEARCH_HANDLERS = [search_documents]
