"""``m routes``: every HTTP route of the site with the permission it needs.

The table comes from the application ``m start`` serves (built, not started: no database is
touched). Each route says who may call it: ``public``, ``signed in``, or the permission its
handler declares in ``opt["permission"]`` (``DocType:action``, as the CRUD routes do). The
RPC endpoints are then expanded into one line per ``@whitelist`` method and ``@rpc`` function.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Annotated, Any

import cyclopts

from framework_m_core.exceptions import FrameworkError
from framework_m_core.rpc import RpcOptions, get_rpc_options, get_whitelist_options
from framework_m_standard.cli.app_checkout import activate, find_app_checkout
from framework_m_standard.cli.output import print_lines
from framework_m_standard.cli.user_errors import fail, one_line, settings_or_fail

if TYPE_CHECKING:
    from litestar import Litestar

    from framework_m_core.registry import MetaRegistry

_TYPED_PARAM = re.compile(r"\{(\w+):[^}]+\}")
_AUTOMATIC = "options_handler"
"""Litestar's own OPTIONS handler on every path (CORS preflight): not one of ours."""


@dataclass(frozen=True)
class RouteLine:
    method: str
    path: str
    permission: str
    name: str


def register(app: cyclopts.App) -> None:
    app.command(routes, name="routes")


def routes(
    *,
    doctype: str | None = None,
    as_json: Annotated[bool, cyclopts.Parameter(["--json"], negative=())] = False,
) -> None:
    """List every route: method, path and the permission it needs.

    Parameters
    ----------
    doctype
        Only the routes of this DocType (its REST resource and RPC methods).
    as_json
        Print a JSON list instead of a table.
    """
    activate(find_app_checkout())
    settings = settings_or_fail()
    from framework_m_core.registry import MetaRegistry
    from framework_m_standard.adapters.web.app import load_registry
    from framework_m_standard.cli.site_app import build_site_app

    try:
        site = build_site_app(settings)
        registry = load_registry(settings, MetaRegistry())
        lines = [*http_routes(site), *rpc_routes(registry)]
    except (ImportError, FrameworkError) as exc:
        fail(f"cannot load the installed apps: {one_line(exc)}")
    if doctype is not None:
        if not registry.has_doctype(doctype):
            fail(f"no DocType named {doctype!r}")
        prefixes = (f"/api/v1/{doctype}/", f"/api/v1/rpc/{doctype}/", f"/api/meta/{doctype}")
        lines = [line for line in lines if f"{line.path}/".startswith(prefixes)]
    if as_json:
        print_lines([json.dumps([asdict(line) for line in lines], indent=2)])
        return
    docs = "OpenAPI: /schema/openapi.json  Swagger UI: /schema/swagger  ReDoc: /schema/redoc"
    print_lines([*_table(lines), *(["", docs] if settings.http.openapi else [])])


def http_routes(site: Litestar) -> list[RouteLine]:
    """One line per method and path of the application, in the application's order."""
    lines: list[RouteLine] = []
    for route in site.routes:
        path = _TYPED_PARAM.sub(r"{\1}", route.path)
        lines.extend(
            sorted(
                (
                    RouteLine(method, path, describe_permission(handler.opt), handler.handler_name)
                    for handler in getattr(route, "route_handlers", [])
                    if handler.handler_name != _AUTOMATIC
                    for method in getattr(handler, "http_methods", None) or ["*"]
                ),
                key=lambda line: _method_order(line.method),
            )
        )
    return lines


def _method_order(method: str) -> int:
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return order.index(method) if method in order else len(order)


def describe_permission(opt: dict[str, Any]) -> str:
    """Who may call a handler, from its ``opt``."""
    if opt.get("auth", "required") == "none":
        return "public"
    parts = [opt["permission"]] if opt.get("permission") else []
    if opt.get("permission_note"):
        parts.append(f"({opt['permission_note']})" if parts else opt["permission_note"])
    if not parts:
        parts.append("signed in")
    return " ".join(parts)


def rpc_routes(registry: MetaRegistry) -> list[RouteLine]:
    """One line per ``@whitelist`` controller method and ``@rpc`` function of the apps."""
    from framework_m_core.rpc import RpcRegistry

    lines: list[RouteLine] = []
    for doctype in registry.list_doctypes():
        controller = registry.get_controller(doctype)
        if controller is None:
            continue
        for name in sorted(dir(controller)):
            if name.startswith("_"):
                continue
            options = get_whitelist_options(inspect.getattr_static(controller, name, None))
            if options is not None:
                permission = f"{doctype}:{options.permission or 'read'}"
                lines.append(
                    RouteLine(
                        "POST",
                        f"/api/v1/rpc/{doctype}/{name}",
                        _rpc_rule(options, permission),
                        f"{controller.__qualname__}.{name}",
                    )
                )
    functions = RpcRegistry()
    functions.discover(registry.packages())
    for path in functions.paths():
        func = functions.get(path)
        options = get_rpc_options(func)
        if options is not None:
            rule = _rpc_rule(options, options.permission)
            lines.append(RouteLine("POST", f"/api/v1/rpc/fn/{path}", rule, path))
    return lines


def _rpc_rule(options: RpcOptions, permission: str | None) -> str:
    parts = [permission] if permission else []
    if options.roles:
        parts.append("role " + " or ".join(options.roles))
    if options.allow_guest:
        parts.append("guests allowed")
    return ", ".join(parts) or "signed in"


def _table(lines: list[RouteLine]) -> list[str]:
    method_width = max([len("METHOD"), *(len(line.method) for line in lines)])
    path_width = max([len("PATH"), *(len(line.path) for line in lines)])
    return [
        f"{'METHOD':<{method_width}}  {'PATH':<{path_width}}  PERMISSION",
        *(f"{x.method:<{method_width}}  {x.path:<{path_width}}  {x.permission}" for x in lines),
    ]


__all__ = ["RouteLine", "describe_permission", "http_routes", "register", "routes", "rpc_routes"]
