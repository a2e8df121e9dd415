"""Health checks, metadata and the share API."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, delete, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter
from pydantic import BaseModel, Field

from framework_m_core.domain.storable import unstorable
from framework_m_core.exceptions import ValidationError
from framework_m_core.services.field_types import FieldType
from framework_m_core.services.metadata import describe_doctype, doctype_module
from framework_m_standard.adapters.web.errors import ERROR_RESPONSES
from framework_m_standard.adapters.web.responses import json_response
from framework_m_standard.adapters.web.runtime import get_runtime
from framework_m_standard.adapters.web.security import actor_of
from framework_m_standard.adapters.web.share_schemas import ShareCreate, ShareRead, share_json

_AUTH_ERRORS = {code: ERROR_RESPONSES[code] for code in (401, 403, 404, 429)}


class Health(BaseModel):
    status: str


class DocTypeSummary(BaseModel):
    doctype: str
    label: str
    module: str
    title_field: str | None
    is_submittable: bool
    can_create: bool


@get(
    "/healthz", opt={"auth": "none"}, tags=["health"], operation_id="healthz", sync_to_thread=False
)
def healthz() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@get(
    "/readyz",
    opt={"auth": "none"},
    tags=["health"],
    operation_id="readyz",
    responses={503: ResponseSpec(data_container=Health, description="Not ready")},
)
async def readyz(request: Request[Any, Any, Any]) -> Health:
    """Readiness: the default database answers."""
    runtime = get_runtime(request)
    try:
        async with runtime.documents.unit_of_work() as uow:
            await runtime.documents.repositories.get(runtime.registry.get_doctype("User")).count(
                uow.session
            )
    except Exception:
        return json_response({"status": "unavailable"}, status_code=503)  # type: ignore[return-value]
    return json_response({"status": "ok"})  # type: ignore[return-value]


@get("/api/meta", tags=["meta"], operation_id="listDocTypes", responses=_AUTH_ERRORS)
async def list_doctypes(request: Request[Any, Any, Any]) -> list[DocTypeSummary]:
    """The DocTypes the current user may read."""
    runtime, actor = get_runtime(request), actor_of(request)
    permission = runtime.documents.permission
    user = actor.permission_user
    summaries = []
    for doctype in runtime.registry.doctypes():
        meta = doctype.get_meta()
        if not meta.api_resource or meta.is_child_table:
            continue
        if not await permission.has_permission(user, meta.name, "read"):
            continue
        summaries.append(
            DocTypeSummary(
                doctype=meta.name,
                label=meta.label,
                module=doctype_module(doctype),
                title_field=meta.title_field,
                is_submittable=meta.is_submittable,
                can_create=await permission.has_permission(user, meta.name, "create"),
            )
        )
    return summaries


class ChildTableMetadata(BaseModel):
    doctype: str
    fields: list[FieldMetadata]


class FieldMetadata(BaseModel):
    name: str
    label: str
    description: str | None
    required: bool
    read_only: bool
    hidden: bool
    in_list_view: bool
    fieldtype: FieldType
    options: list[str] | None
    link_doctype: str | None
    child: ChildTableMetadata | None
    schema_: dict[str, Any] = Field(alias="schema")


class DocTypeMetadata(BaseModel):
    doctype: str
    label: str
    description: str
    module: str
    naming: str
    title_field: str | None
    search_fields: list[str]
    is_submittable: bool
    is_child_table: bool
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    fields: list[FieldMetadata]
    layout: dict[str, Any]
    list_fields: list[str]
    permissions: dict[str, bool]


@get(
    "/api/meta/{doctype:str}",
    tags=["meta"],
    opt={"permission": "{doctype}:read"},
    operation_id="getDocTypeMeta",
    # Declared, or the document would describe Litestar's own 400 body instead of ours.
    responses={**_AUTH_ERRORS, 400: ERROR_RESPONSES[400]},
)
async def doctype_meta(
    request: Request[Any, Any, Any], doctype: Annotated[str, PathParameter()]
) -> DocTypeMetadata:
    """JSON Schema, layout, labels, help text, widgets (``fieldtype``) and the user's rights."""
    runtime, actor = get_runtime(request), actor_of(request)
    documents = runtime.documents
    doctype_class = documents.resource(doctype)
    await documents.authorize(actor, doctype_class, "read")
    described = await describe_doctype(documents, actor, doctype_class)
    return json_response(described)  # type: ignore[return-value]


@post(
    "/api/v1/share",
    tags=["share"],
    opt={"permission": "{doctype}:read", "permission_note": "owner, admin or a share grant"},
    operation_id="createShare",
    responses={code: ERROR_RESPONSES[code] for code in (400, 401, 403, 404, 413, 422, 429)},
)
async def create_share(request: Request[Any, Any, Any], data: JSONBody[ShareCreate]) -> ShareRead:
    """Share a document with one more user."""
    runtime, actor = get_runtime(request), actor_of(request)
    if reason := unstorable(data.user_id):
        raise ValidationError(f"user_id {reason}", errors=[{"loc": ["user_id"], "msg": reason}])
    doctype = runtime.documents.resource(data.doctype)
    share = await runtime.sharing.share(
        actor,
        doctype,
        data.document_id,
        user_id=data.user_id,
        read=data.read,
        write=data.write,
        share=data.share,
    )
    return json_response(share_json(share), status_code=201)  # type: ignore[return-value]


@delete(
    "/api/v1/share/{share_id:uuid}",
    tags=["share"],
    opt={"permission_note": "the share's creator, the document's owner or an admin"},
    operation_id="deleteShare",
    responses={code: ERROR_RESPONSES[code] for code in (400, 401, 403, 404, 429)},
)
async def delete_share(
    request: Request[Any, Any, Any], share_id: Annotated[UUID, PathParameter()]
) -> None:
    """Remove a share."""
    runtime, actor = get_runtime(request), actor_of(request)
    await runtime.sharing.unshare(actor, share_id)


MISC_HANDLERS = [healthz, readyz, list_doctypes, doctype_meta, create_share, delete_share]
