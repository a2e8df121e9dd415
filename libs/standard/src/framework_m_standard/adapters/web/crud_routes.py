"""Auto-CRUD: list, count, create, read, update, delete, submit, cancel, bulk and shares per DocType.

Handlers are generated per DocType so that the OpenAPI document describes each one with its
own models. They stay thin: parse, call ``DocumentService``, serialize.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, delete, get, post, put
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, PathParameter, QueryParameter
from pydantic import BaseModel

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.exceptions import InvalidQueryError
from framework_m_core.settings import HttpSettings
from framework_m_standard.adapters.web.errors import ERROR_RESPONSES
from framework_m_standard.adapters.web.query_params import (
    parse_fields,
    parse_filters,
    parse_order_by,
)
from framework_m_standard.adapters.web.responses import BulkResult, json_response
from framework_m_standard.adapters.web.runtime import get_runtime
from framework_m_standard.adapters.web.schemas import FilterQuery, schemas_for
from framework_m_standard.adapters.web.security import actor_of
from framework_m_standard.adapters.web.share_schemas import ShareRead, share_json

ROUTE_ACTIONS = {
    "list": "read",
    "count": "read",
    "create": "create",
    "read": "read",
    "update": "write",
    "delete": "delete",
    "bulk_update": "write",
    "bulk_delete": "delete",
    "shares": "read",
}
"""The permission action each route checks on its DocType (``opt["permission"]``)."""


def permission_opt(doctype_name: str, action: str, note: str = "") -> dict[str, str]:
    """Route ``opt`` saying which permission a handler checks, ``"DocType:action"`` as in
    ``@rpc(permission=...)`` (plus a note on further conditions), for readers of the route
    table such as ``m routes``."""
    opt = {"permission": f"{doctype_name}:{action}"}
    if note:
        opt["permission_note"] = note
    return opt


class CountResult(BaseModel):
    count: int
    exact: bool = True
    """False when there are more than ``[http] count_limit`` rows: ``count`` is that limit."""


def _errors(*codes: int) -> dict[int, Any]:
    return {code: ERROR_RESPONSES[code] for code in (401, 403, 429, *codes)}


def _json_body(model: Any) -> Any:
    """``JSONBody[model]`` for a model made at runtime."""
    return JSONBody[model]  # type: ignore[misc]


def _ids(raw: list[str] | None) -> list[UUID]:
    try:
        return [UUID(value) for value in raw or []]
    except (ValueError, TypeError):
        raise InvalidQueryError("ids must be UUIDs") from None


def crud_handlers(doctype: type[BaseDocType], http: HttpSettings) -> list[HTTPRouteHandler]:
    """The route handlers of one DocType under ``/api/v1/{DocType}``."""
    models = schemas_for(doctype)
    name = doctype.get_doctype_name()
    path = f"/api/v1/{name}"
    tags = [name]
    submittable = doctype.get_meta().is_submittable

    async def list_documents(
        request: Request[Any, Any, Any],
        filters: str | None = None,
        fields: str | None = None,
        order_by: str | None = None,
        limit: int = http.default_page_size,
        offset: int = 0,
        after: str | None = None,
        with_total: bool = False,
    ) -> Response[Any]:
        runtime, actor = get_runtime(request), actor_of(request)
        page = await runtime.documents.list_records(
            actor,
            doctype,
            filters=parse_filters(filters),
            order_by=parse_order_by(order_by),
            limit=limit,
            offset=offset,
            fields=parse_fields(fields),
            after=after,
            with_total=with_total,
        )
        return json_response(
            {
                "data": page.items,
                "total": page.total,
                "limit": page.limit,
                "offset": page.offset,
                "has_more": page.has_more,
                "next_cursor": page.next_cursor,
            }
        )

    list_documents.__annotations__ = {
        "request": Request,
        "filters": Annotated[
            str | None,
            QueryParameter(
                description='JSON: [["field", "operator", value], ...] or {"field": value}',
                max_length=8192,
            ),
        ],
        "fields": Annotated[
            str | None, QueryParameter(description="Comma-separated field names", max_length=4096)
        ],
        "order_by": Annotated[
            str | None,
            QueryParameter(description='"field desc, other" or "-field"', max_length=1024),
        ],
        "limit": Annotated[int, QueryParameter(ge=0, le=http.max_page_size)],
        "offset": Annotated[int, QueryParameter(ge=0, le=2**31 - 1)],
        "after": Annotated[
            str | None,
            QueryParameter(
                description="Keyset pagination: the next_cursor of the previous page",
                max_length=4096,
            ),
        ],
        "with_total": Annotated[
            bool, QueryParameter(description="Also count all matching documents (slower)")
        ],
        "return": models.page,
    }

    async def count_documents(
        request: Request[Any, Any, Any], filters: str | None = None
    ) -> Response[Any]:
        runtime, actor = get_runtime(request), actor_of(request)
        count, exact = await runtime.documents.count_capped(
            actor, doctype, filters=parse_filters(filters)
        )
        return json_response({"count": count, "exact": exact})

    count_documents.__annotations__ = {
        "request": Request,
        "filters": Annotated[str | None, QueryParameter(max_length=8192)],
        "return": CountResult,
    }

    async def create_document(request: Request[Any, Any, Any], data: Any) -> Response[Any]:
        runtime, actor = get_runtime(request), actor_of(request)
        documents = runtime.documents
        values = data.model_dump(exclude_unset=True, by_alias=True)
        doc = await documents.create(actor, doctype, values)
        return json_response(documents.serialize(actor, doc), status_code=201)

    create_document.__annotations__ = {
        "request": Request,
        "data": _json_body(models.create),
        "return": models.read,
    }

    async def read_document(
        request: Request[Any, Any, Any], doc_id: UUID, fields: str | None = None
    ) -> Response[Any]:
        runtime, actor = get_runtime(request), actor_of(request)
        record = await runtime.documents.get_record(
            actor, doctype, doc_id, fields=parse_fields(fields)
        )
        return json_response(record)

    read_document.__annotations__ = {
        "request": Request,
        "doc_id": Annotated[UUID, PathParameter()],
        "fields": Annotated[str | None, QueryParameter(max_length=4096)],
        "return": models.read,
    }

    async def update_document(
        request: Request[Any, Any, Any], doc_id: UUID, data: Any
    ) -> Response[Any]:
        runtime, actor = get_runtime(request), actor_of(request)
        documents = runtime.documents
        values = data.model_dump(exclude_unset=True, by_alias=True)
        doc = await documents.update(actor, doctype, doc_id, values)
        return json_response(documents.serialize(actor, doc))

    update_document.__annotations__ = {
        "request": Request,
        "doc_id": Annotated[UUID, PathParameter()],
        "data": _json_body(models.update),
        "return": models.read,
    }

    async def delete_document(
        request: Request[Any, Any, Any], doc_id: Annotated[UUID, PathParameter()]
    ) -> None:
        runtime, actor = get_runtime(request), actor_of(request)
        await runtime.documents.delete(actor, doctype, doc_id)

    async def bulk_update(request: Request[Any, Any, Any], data: Any) -> Response[Any]:
        runtime, actor = get_runtime(request), actor_of(request)
        ids = await runtime.documents.bulk_update(
            actor,
            doctype,
            data.data.model_dump(exclude_unset=True, by_alias=True),
            filters=parse_filters(data.filters),
            ids=_ids(data.ids),
        )
        return json_response({"count": len(ids), "ids": [str(i) for i in ids]})

    bulk_update.__annotations__ = {
        "request": Request,
        "data": _json_body(models.bulk_update),
        "return": BulkResult,
    }

    async def bulk_delete(
        request: Request[Any, Any, Any], data: JSONBody[FilterQuery]
    ) -> Response[Any]:
        runtime, actor = get_runtime(request), actor_of(request)
        ids = await runtime.documents.bulk_delete(
            actor, doctype, filters=parse_filters(data.filters), ids=_ids(data.ids)
        )
        return json_response({"count": len(ids), "ids": [str(i) for i in ids]})

    bulk_delete.__annotations__ = {
        "request": Request,
        "data": JSONBody[FilterQuery],
        "return": BulkResult,
    }

    async def list_shares(request: Request[Any, Any, Any], doc_id: UUID) -> Response[Any]:
        runtime, actor = get_runtime(request), actor_of(request)
        shares = await runtime.sharing.list_shares(actor, doctype, doc_id)
        return json_response([share_json(s) for s in shares])

    list_shares.__annotations__ = {
        "request": Request,
        "doc_id": Annotated[UUID, PathParameter()],
        "return": list[ShareRead],
    }

    op = name.replace(" ", "")
    doc_path = f"{path}/{{doc_id:uuid}}"
    # (decorator, path, route key, operation id, error statuses, summary, handler, status)
    table: list[tuple[Any, str, str, str, tuple[int, ...], str, Any, int | None]] = [
        (get, path, "list", "list", (400,), f"List {name}", list_documents, None),
        (get, f"{path}/count", "count", "count", (400,), f"Count {name}", count_documents, None),
        (
            post,
            path,
            "create",
            "create",
            (400, 409, 413, 422),
            f"Create {name}",
            create_document,
            None,
        ),
        (get, doc_path, "read", "read", (400, 404), f"Read {name}", read_document, None),
        (
            put,
            doc_path,
            "update",
            "update",
            (400, 404, 409, 413, 422),
            f"Update {name}",
            update_document,
            None,
        ),
        (
            delete,
            doc_path,
            "delete",
            "delete",
            (400, 404, 409),
            f"Delete {name}",
            delete_document,
            None,
        ),
        (
            post,
            f"{path}/bulk/update",
            "bulk_update",
            "bulkUpdate",
            (400, 404, 409, 413, 422),
            f"Update many {name}",
            bulk_update,
            200,
        ),
        (
            post,
            f"{path}/bulk/delete",
            "bulk_delete",
            "bulkDelete",
            (400, 404, 409, 413, 422),
            f"Delete many {name}",
            bulk_delete,
            200,
        ),
        (
            get,
            f"{doc_path}/shares",
            "shares",
            "listShares",
            (400, 404),
            f"Who a {name} is shared with",
            list_shares,
            None,
        ),
    ]
    handlers: list[HTTPRouteHandler] = [
        decorator(
            route_path,
            name=f"{op}.{key}",
            operation_id=f"{operation}{op}",
            tags=tags,
            responses=_errors(*codes),
            summary=summary,
            opt=permission_opt(
                name, ROUTE_ACTIONS[key], "owner, admin or a share grant" if key == "shares" else ""
            ),
            **({"status_code": status} if status is not None else {}),
        )(handler)
        for decorator, route_path, key, operation, codes, summary, handler, status in table
    ]
    if submittable:
        handlers.extend(_transition_handlers(doctype, path, op, tags, models.read))
    return handlers


def _transition_handlers(
    doctype: type[BaseDocType], path: str, op: str, tags: list[str], read_model: type[BaseModel]
) -> list[HTTPRouteHandler]:
    handlers: list[HTTPRouteHandler] = []
    for action in ("submit", "cancel"):

        def make(action: str) -> Any:
            async def transition(
                request: Request[Any, Any, Any], doc_id: UUID, version: int | None = None
            ) -> Response[Any]:
                runtime, actor = get_runtime(request), actor_of(request)
                documents = runtime.documents
                step = documents.submit if action == "submit" else documents.cancel
                doc = await step(actor, doctype, doc_id, version)
                return json_response(documents.serialize(actor, doc))

            transition.__annotations__ = {
                "request": Request,
                "doc_id": Annotated[UUID, PathParameter()],
                "version": Annotated[int | None, QueryParameter(ge=0, le=2**31 - 1)],
                "return": read_model,
            }
            return transition

        handlers.append(
            post(
                f"{path}/{{doc_id:uuid}}/{action}",
                name=f"{op}.{action}",
                operation_id=f"{action}{op}",
                tags=tags,
                status_code=200,
                responses=_errors(400, 404, 409, 422),
                summary=f"{action.title()} {doctype.get_doctype_name()}",
                opt=permission_opt(doctype.get_doctype_name(), action),
            )(make(action))
        )
    return handlers
