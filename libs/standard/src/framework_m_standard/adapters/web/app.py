"""``create_app``: the Litestar application of a Framework M site.

The DocTypes of the installed apps are registered first (their routes are generated from
them); the rest of the start-up (engines, schema, adapters, permissions, auth, services)
runs as the bootstrap steps inside the application's lifespan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.handlers import HTTPRouteHandler, WebsocketRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, Reference, SecurityScheme
from litestar.plugins.pydantic import PydanticPlugin

from framework_m_core.bootstrap import Bootstrap, freeze_startup_heap
from framework_m_core.container import build_container
from framework_m_core.doctypes import BUILTIN_DOCTYPES
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings, load_settings
from framework_m_standard.adapters.realtime.service import Realtime
from framework_m_standard.adapters.web.auth_routes import AUTH_HANDLERS
from framework_m_standard.adapters.web.crud_routes import crud_handlers
from framework_m_standard.adapters.web.errors import EXCEPTION_HANDLERS
from framework_m_standard.adapters.web.job_routes import JOB_HANDLERS, attach_jobs
from framework_m_standard.adapters.web.middleware import MiddlewareRegistry, request_id_middleware
from framework_m_standard.adapters.web.misc_routes import MISC_HANDLERS
from framework_m_standard.adapters.web.rpc_routes import RPC_HANDLERS
from framework_m_standard.adapters.web.runtime import STATE_KEY, WebRuntime
from framework_m_standard.adapters.web.search_routes import SEARCH_HANDLERS
from framework_m_standard.adapters.web.security import authenticate_request
from framework_m_standard.adapters.web.stream_routes import REALTIME_KEY, STREAM_HANDLERS
from framework_m_standard.adapters.web.webhook_routes import WEBHOOK_HANDLERS

SECURITY_SCHEMES: dict[str, SecurityScheme | Reference] = {
    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
    "apiKey": SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header"),
    "session": SecurityScheme(type="apiKey", name="fm_session", security_scheme_in="cookie"),
    "basic": SecurityScheme(type="http", scheme="basic"),
}


def load_registry(settings: Settings, registry: MetaRegistry) -> MetaRegistry:
    """Built-in DocTypes, then the installed apps' (idempotent; the bootstrap step repeats it)."""
    for doctype in BUILTIN_DOCTYPES:
        registry.register_doctype(doctype)
    registry.load_apps(settings.apps)
    return registry


def route_handlers(
    settings: Settings, registry: MetaRegistry
) -> list[HTTPRouteHandler | WebsocketRouteHandler]:
    handlers: list[HTTPRouteHandler | WebsocketRouteHandler] = [
        *MISC_HANDLERS,
        *AUTH_HANDLERS,
        *RPC_HANDLERS,
        *SEARCH_HANDLERS,
        *JOB_HANDLERS,
        *WEBHOOK_HANDLERS,
        *STREAM_HANDLERS,
    ]
    for doctype in registry.doctypes():
        meta = doctype.get_meta()
        if meta.api_resource and not meta.is_child_table:
            handlers.extend(crud_handlers(doctype, settings.http))
    return handlers


def middleware_registry(settings: Settings) -> MiddlewareRegistry:
    registry = MiddlewareRegistry()
    registry.add("request_id", request_id_middleware(settings.http.request_id_header), priority=0)
    registry.load_entry_points()
    registry.load_paths(settings.http.middleware)
    return registry


def create_app(settings: Settings | None = None, **litestar_options: Any) -> Litestar:
    """The application for ``settings`` (read from ``framework_config.toml`` + env by default)."""
    settings = settings or load_settings()
    container = build_container(settings)
    registry = load_registry(settings, container.meta_registry())

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with Bootstrap(settings, container=container) as context:
            state = context.state
            app.state[STATE_KEY] = WebRuntime(
                settings=settings,
                registry=state["registry"],
                documents=state["documents"],
                sharing=state["sharing"],
                auth=state["auth"],
                rpc=state["rpc"],
            )
            # Only API processes hold WebSockets: realtime starts here, not in a bootstrap step.
            realtime = Realtime(
                settings, documents=state["documents"], event_bus=state.get("event_bus")
            )
            await realtime.start()
            app.state[REALTIME_KEY] = realtime
            state["socket"] = realtime.socket
            # Jobs run here only without NATS (else in `m worker` processes).
            await attach_jobs(app, state)
            freeze_startup_heap()
            try:
                yield
            finally:
                app.state.pop(REALTIME_KEY, None)
                await realtime.stop()
                app.state.pop(STATE_KEY, None)

    http = settings.http
    openapi = (
        OpenAPIConfig(
            title="Framework M API",
            version="1.0.0",
            description="Every DocType as a REST resource, RPC, metadata and authentication.",
            # The documents and the pages that render them are public, like /healthz.
            openapi_router=Router(
                "/schema", route_handlers=[], include_in_schema=False, opt={"auth": "none"}
            ),
            render_plugins=[
                JsonRenderPlugin(),
                SwaggerRenderPlugin(path="/swagger"),
                RedocRenderPlugin(path="/redoc"),
            ],
            components=Components(security_schemes=SECURITY_SCHEMES),
            security=[{"bearer": []}, {"apiKey": []}, {"session": []}, {"basic": []}],
            use_handler_docstrings=True,
        )
        if http.openapi
        else None
    )
    cors = (
        CORSConfig(
            allow_origins=list(http.cors_origins),
            allow_credentials=True,
            allow_headers=[
                "Content-Type",
                "Authorization",
                "X-API-Key",
                "X-Tenant-ID",
                settings.auth.csrf_header,
                http.request_id_header,
            ],
            expose_headers=[http.request_id_header],
        )
        if http.cors_origins
        else None
    )
    return Litestar(
        route_handlers=route_handlers(settings, registry),
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=authenticate_request,
        middleware=middleware_registry(settings).ordered(),
        cors_config=cors,
        openapi_config=openapi,
        # Responses are written with their aliases (``_version``); the schema must say so too.
        plugins=[PydanticPlugin(prefer_alias=True), *litestar_options.pop("plugins", [])],
        lifespan=[lifespan],
        request_max_body_size=http.max_body_size,
        debug=False,
        **litestar_options,
    )


def asgi_app() -> Litestar:
    """Entry point for ASGI servers: ``uvicorn --factory framework_m_standard.adapters.web.app:asgi_app``."""
    return create_app()
