"""``@whitelist`` controller methods and ``@rpc`` functions: what the RPC endpoints may call.

Nothing is callable over HTTP unless it is decorated. The decorators only mark functions;
``RpcRegistry`` collects ``@rpc`` functions from the installed apps' modules at startup, and
``bind_arguments`` validates a JSON object against the function's signature.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from pydantic import BaseModel, ConfigDict, create_model
from pydantic import ValidationError as PydanticValidationError

from framework_m_core.exceptions import ValidationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.permission import PermissionAction

F = TypeVar("F", bound=Callable[..., Any])

WHITELIST_ATTR = "__framework_m_whitelist__"
RPC_ATTR = "__framework_m_rpc__"


@dataclass(frozen=True)
class RpcOptions:
    """Who may call: ``permission`` (an action on the DocType, or ``"DocType:action"`` for
    ``@rpc``), ``roles`` (any of them), ``allow_guest`` (no login needed)."""

    permission: str | None = None
    roles: tuple[str, ...] = ()
    allow_guest: bool = False


@dataclass
class RpcContext:
    """Handed to a decorated function that declares a parameter of this type.

    ``documents`` is the permission-checked document service acting as ``user``.
    """

    user: UserContext
    documents: Any
    tenant: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@overload
def whitelist(func: F, /) -> F: ...
@overload
def whitelist(
    *,
    permission: PermissionAction = "read",
    roles: Iterable[str] = (),
    allow_guest: bool = False,
) -> Callable[[F], F]: ...
def whitelist(
    func: F | None = None,
    /,
    *,
    permission: PermissionAction = "read",
    roles: Iterable[str] = (),
    allow_guest: bool = False,
) -> F | Callable[[F], F]:
    """Make a controller method callable at ``POST /api/v1/rpc/{doctype}/{method}``.

    The caller needs ``permission`` on the DocType, and on the document when an ``id`` is
    given (row-level security applies); static and class methods run without a document.
    """
    options = RpcOptions(permission=permission, roles=tuple(roles), allow_guest=allow_guest)

    def mark(fn: F) -> F:
        target = fn.__func__ if isinstance(fn, staticmethod | classmethod) else fn
        setattr(target, WHITELIST_ATTR, options)
        return fn

    return mark(func) if func is not None else mark


@overload
def rpc(func: F, /) -> F: ...
@overload
def rpc(
    *, permission: str | None = None, roles: Iterable[str] = (), allow_guest: bool = False
) -> Callable[[F], F]: ...
def rpc(
    func: F | None = None,
    /,
    *,
    permission: str | None = None,
    roles: Iterable[str] = (),
    allow_guest: bool = False,
) -> F | Callable[[F], F]:
    """Make a function callable at ``POST /api/v1/rpc/fn/{module.function}``.

    ``permission="Invoice:read"`` requires that permission; ``roles`` any of the roles;
    without either any signed-in user may call it; ``allow_guest`` needs no sign-in.
    """
    if permission is not None and permission.count(":") != 1:
        raise ValueError(f"rpc permission must look like 'DocType:action', not {permission!r}")
    options = RpcOptions(permission=permission, roles=tuple(roles), allow_guest=allow_guest)

    def mark(fn: F) -> F:
        setattr(fn, RPC_ATTR, options)
        return fn

    return mark(func) if func is not None else mark


def get_whitelist_options(obj: Any) -> RpcOptions | None:
    """The options of a ``@whitelist`` method, or None when it is not whitelisted."""
    target = obj.__func__ if isinstance(obj, staticmethod | classmethod) else obj
    options = getattr(target, WHITELIST_ATTR, None)
    return options if isinstance(options, RpcOptions) else None


def is_whitelisted(obj: Any) -> bool:
    return get_whitelist_options(obj) is not None


def get_rpc_options(obj: Any) -> RpcOptions | None:
    """The options of an ``@rpc`` function, or None."""
    options = getattr(obj, RPC_ATTR, None)
    return options if isinstance(options, RpcOptions) else None


def is_rpc_function(obj: Any) -> bool:
    return get_rpc_options(obj) is not None


def rpc_path(func: Callable[..., Any]) -> str:
    """The dotted path a function is called by: ``my_app.api.send_email``."""
    return f"{func.__module__}.{func.__qualname__}"


class RpcRegistry:
    """``@rpc`` functions by dotted path, collected from already imported app modules."""

    def __init__(self) -> None:
        self._functions: dict[str, Callable[..., Any]] = {}

    def register(self, func: Callable[..., Any]) -> None:
        if not is_rpc_function(func):
            raise ValueError(f"{rpc_path(func)} is not decorated with @rpc")
        self._functions[rpc_path(func)] = func

    def discover(self, packages: Iterable[str]) -> None:
        """Register every ``@rpc`` function in the loaded modules of these packages.

        A package's ``api`` module (``my_app.api``, the conventional home of RPC functions)
        is imported first if it exists.
        """
        prefixes = tuple(packages)
        for package in prefixes:
            try:
                importlib.import_module(f"{package}.api")
            except ModuleNotFoundError as exc:
                if exc.name not in (f"{package}.api", package):
                    raise
        for name, module in list(sys.modules.items()):
            if module is None or not any(name == p or name.startswith(p + ".") for p in prefixes):
                continue
            for _, obj in inspect.getmembers(module, inspect.isfunction):
                if obj.__module__ == name and is_rpc_function(obj):
                    self.register(obj)

    def get(self, path: str) -> Callable[..., Any] | None:
        return self._functions.get(path)

    def paths(self) -> list[str]:
        return sorted(self._functions)


class _Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


@functools.cache
def arguments_model(func: Callable[..., Any]) -> tuple[type[BaseModel], str | None]:
    """A model of the function's JSON-callable parameters, and the name of its RpcContext one."""
    hints = typing.get_type_hints(func)
    fields: dict[str, Any] = {}
    context_param: str | None = None
    for index, (name, param) in enumerate(inspect.signature(func).parameters.items()):
        if index == 0 and name in ("self", "cls"):
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        annotation = hints.get(name, Any)
        if annotation is RpcContext:
            context_param = name
            continue
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[name] = (annotation, default)
    model = create_model(f"{func.__qualname__}_args", __base__=_Arguments, **fields)
    return model, context_param


def bind_arguments(
    func: Callable[..., Any], payload: Any, context: RpcContext | None
) -> dict[str, Any]:
    """Keyword arguments for ``func`` from a JSON object, validated; ``ValidationError`` if not."""
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise ValidationError("RPC arguments must be a JSON object")
    model, context_param = arguments_model(func)
    try:
        parsed = model.model_validate(dict(payload))
    except PydanticValidationError as exc:
        raise ValidationError(
            "Invalid arguments", errors=exc.errors(include_url=False, include_context=False)
        ) from exc
    kwargs = {name: getattr(parsed, name) for name in type(parsed).model_fields}
    if context_param is not None:
        kwargs[context_param] = context
    return kwargs
