"""RPC: ``@whitelist`` controller methods and ``@rpc`` functions over ``POST``.

``POST /api/v1/rpc/{doctype}/{method}`` with ``{"id": ..., "args": {...}}`` calls a
whitelisted method of the DocType's controller on that document (row-level security for the
method's permission applies), or a static/class method without ``id``.
``POST /api/v1/rpc/fn/{dotted.path}`` with the arguments as the body calls an ``@rpc``
function. Arguments are validated against the signature; results are returned as JSON.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, post
from litestar.params import JSONBody, PathParameter
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from framework_m_core.exceptions import (
    AuthenticationError,
    EntityNotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from framework_m_core.rpc import (
    RpcContext,
    RpcOptions,
    bind_arguments,
    get_rpc_options,
    get_whitelist_options,
)
from framework_m_core.services.actor import Actor
from framework_m_standard.adapters.web.errors import ERROR_RESPONSES
from framework_m_standard.adapters.web.responses import json_response
from framework_m_standard.adapters.web.runtime import WebRuntime, get_runtime
from framework_m_standard.adapters.web.security import GUEST, actor_of

_ERRORS = {code: ERROR_RESPONSES[code] for code in (400, 401, 403, 404, 413, 422, 429)}


class MethodCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID | None = Field(default=None, description="The document to call the method on")
    args: dict[str, Any] = Field(default_factory=dict)


class RpcResult(BaseModel):
    result: Any = None


def _check_caller(actor: Actor, options: RpcOptions) -> None:
    if actor.user.id == GUEST.id and not options.allow_guest:
        raise AuthenticationError("Authentication required")
    if options.roles and not any(actor.user.has_role(role) for role in options.roles):
        raise PermissionDeniedError("Not permitted to call this method")


def _context(runtime: WebRuntime, actor: Actor) -> RpcContext:
    return RpcContext(
        user=actor.user, documents=runtime.documents, tenant=actor.tenant, extra={"actor": actor}
    )


async def _call(func: Any, kwargs: dict[str, Any]) -> Any:
    result = func(**kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def _result(value: Any) -> Response[Any]:
    return json_response({"result": to_jsonable_python(value, by_alias=True)})


@post(
    "/api/v1/rpc/{doctype:str}/{method:str}",
    opt={"auth": "optional", "permission_note": "the method's @whitelist rule"},
    tags=["rpc"],
    operation_id="callDocTypeMethod",
    status_code=200,
    responses=_ERRORS,
)
async def call_method(
    request: Request[Any, Any, Any],
    doctype: Annotated[str, PathParameter()],
    method: Annotated[str, PathParameter()],
    data: JSONBody[MethodCall],
) -> RpcResult:
    """Call a ``@whitelist`` method of a DocType's controller."""
    runtime, actor = get_runtime(request), actor_of(request)
    documents = runtime.documents
    doctype_class = documents.resource(doctype)
    controller = runtime.registry.get_controller(doctype_class.get_doctype_name())
    attribute = (
        inspect.getattr_static(controller, method, None)
        if controller and not method.startswith("_")
        else None
    )
    options = get_whitelist_options(attribute) if attribute is not None else None
    if controller is None or options is None:
        raise EntityNotFoundError(f"{doctype} has no callable method {method!r}", method=method)
    _check_caller(actor, options)
    action = options.permission or "read"
    await documents.authorize(actor, doctype_class, action)  # type: ignore[arg-type]
    context = _context(runtime, actor)
    if isinstance(attribute, staticmethod | classmethod):
        func = getattr(controller, method)
        kwargs = bind_arguments(func, data.args, context)
        return _result(await _call(func, kwargs))  # type: ignore[return-value]
    if data.id is None:
        raise ValidationError(f"{doctype}.{method} runs on a document; give its id")
    doc = await documents.get_for(actor, doctype_class, data.id, action)  # type: ignore[arg-type]
    bound = getattr(controller(doc), method)
    kwargs = bind_arguments(bound, data.args, context)
    return _result(await _call(bound, kwargs))  # type: ignore[return-value]


@post(
    "/api/v1/rpc/fn/{path:str}",
    opt={"auth": "optional", "permission_note": "the function's @rpc rule"},
    tags=["rpc"],
    operation_id="callFunction",
    status_code=200,
    responses=_ERRORS,
)
async def call_function(
    request: Request[Any, Any, Any],
    path: Annotated[str, PathParameter()],
    data: JSONBody[dict[str, Any] | None] = None,
) -> RpcResult:
    """Call an ``@rpc`` function by its dotted path; the body holds its arguments."""
    runtime, actor = get_runtime(request), actor_of(request)
    func = runtime.rpc.get(path)
    options = get_rpc_options(func) if func is not None else None
    if func is None or options is None:
        raise EntityNotFoundError(f"No RPC function {path!r}", path=path[:200])
    _check_caller(actor, options)
    if options.permission is not None:
        doctype_name, _, action = options.permission.partition(":")
        doctype_class = runtime.registry.get_doctype(doctype_name)
        await runtime.documents.authorize(actor, doctype_class, action)  # type: ignore[arg-type]
    kwargs = bind_arguments(func, data, _context(runtime, actor))
    return _result(await _call(func, kwargs))  # type: ignore[return-value]


RPC_HANDLERS = [call_method, call_function]
