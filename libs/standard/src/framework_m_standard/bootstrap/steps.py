"""Default bootstrap steps: init_engine 10, init_registries 20, sync_schema 30, init_adapters 40,
init_permissions 50, init_auth 60, init_services 70.

Steps hand values on through ``context.state``:
``connections`` (ConnectionFactory), ``registry`` (MetaRegistry), ``field_registry``
(FieldRegistry), ``database`` (DatabaseRuntime), ``schema_changes`` (per-bind SchemaChanges),
``permission`` (the permission adapter), ``auth`` (AuthComponents), ``documents``
(DocumentService), ``sharing`` (SharingService), ``rpc`` (RpcRegistry).
"""

from __future__ import annotations

import logging
from typing import Any

from framework_m_core.container import bind_adapter, bind_instance, resolve_adapter
from framework_m_core.doctypes import BUILTIN_DOCTYPES
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.registry import MetaRegistry
from framework_m_core.rpc import RpcRegistry
from framework_m_core.services.documents import DocumentService
from framework_m_core.services.sharing import SharingService
from framework_m_standard.adapters.auth.service import AuthComponents, build_auth
from framework_m_standard.adapters.db.connection import ConnectionFactory
from framework_m_standard.adapters.db.field_registry import FieldRegistry
from framework_m_standard.adapters.db.repository_factory import SqlAlchemyRepositoryFactory
from framework_m_standard.adapters.db.runtime import DatabaseRuntime
from framework_m_standard.adapters.db.schema_mapper import SqlAlchemySchemaMapper
from framework_m_standard.adapters.db.unit_of_work import SqlAlchemyUnitOfWorkFactory
from framework_m_standard.adapters.permissions.factory import build_permission_adapter

logger = logging.getLogger("framework_m.bootstrap")


class _Step:
    name = ""
    order = 0
    priority = 0

    async def run(self, context: BootstrapContext) -> None:
        raise NotImplementedError

    async def shutdown(self, context: BootstrapContext) -> None:
        return None


class InitEngine(_Step):
    """Engines for every configured bind (created lazily on first use, disposed at stop)."""

    name = "init_engine"
    order = 10

    async def run(self, context: BootstrapContext) -> None:
        context.state["connections"] = ConnectionFactory.from_settings(context.settings)

    async def shutdown(self, context: BootstrapContext) -> None:
        connections: ConnectionFactory | None = context.state.pop("connections", None)
        if connections is not None:
            await connections.dispose()


class InitRegistries(_Step):
    """Register the built-in DocTypes, then those of every installed app; create the field registry."""

    name = "init_registries"
    order = 20

    async def run(self, context: BootstrapContext) -> None:
        registry = context.container.meta_registry()
        for doctype in BUILTIN_DOCTYPES:
            registry.register_doctype(doctype)
        registry.load_apps(context.settings.apps)
        context.state["registry"] = registry
        context.state.setdefault("field_registry", FieldRegistry())


class SyncSchema(_Step):
    """Map DocTypes to tables; in development also create missing tables and nullable columns."""

    name = "sync_schema"
    order = 30

    async def run(self, context: BootstrapContext) -> None:
        database = DatabaseRuntime.build(
            context.settings,
            context.state["registry"],
            field_registry=context.state["field_registry"],
            connections=context.state["connections"],
        )
        context.state["database"] = database
        if context.settings.schema_sync_enabled:
            context.state["schema_changes"] = await database.sync_schema()


class InitAdapters(_Step):
    """Bind adapters to ports: explicit config > entry point > the standard default."""

    name = "init_adapters"
    order = 40

    async def run(self, context: BootstrapContext) -> None:
        database: DatabaseRuntime = context.state["database"]
        own: dict[str, tuple[type[Any], Any]] = {
            "schema_mapper": (SqlAlchemySchemaMapper, database.mapper),
            "unit_of_work": (SqlAlchemyUnitOfWorkFactory, database.unit_of_work),
            "repository": (SqlAlchemyRepositoryFactory, database.repositories),
        }
        for port, (default, instance) in own.items():
            chosen = resolve_adapter(port, context.settings, default=default)
            if chosen is default:
                bind_instance(context.container, port, instance)
            elif chosen is not None:
                # A replacement adapter builds itself; its package's own steps prepare what it needs.
                bind_adapter(context.container, port, chosen)
        # The event bus is bound by init_events (bootstrap/events.py): it needs a connection.


class InitPermissions(_Step):
    """The permission adapter (RBAC, or an external policy service over it)."""

    name = "init_permissions"
    order = 50

    async def run(self, context: BootstrapContext) -> None:
        database: DatabaseRuntime = context.state["database"]
        adapter = build_permission_adapter(
            context.settings,
            registry=context.state["registry"],
            repositories=database.repositories,
            unit_of_work=database.unit_of_work,
        )
        context.state["permission"] = adapter
        bind_instance(context.container, "permission", adapter)

    async def shutdown(self, context: BootstrapContext) -> None:
        adapter = context.state.pop("permission", None)
        if adapter is not None:
            await adapter.aclose()


class InitAuth(_Step):
    """Authentication: users, sessions, API keys, tokens, login limits and the auth chain."""

    name = "init_auth"
    order = 60

    async def run(self, context: BootstrapContext) -> None:
        database: DatabaseRuntime = context.state["database"]
        context.state["auth"] = build_auth(
            context.settings, repositories=database.repositories, unit_of_work=database.unit_of_work
        )

    async def shutdown(self, context: BootstrapContext) -> None:
        auth: AuthComponents | None = context.state.pop("auth", None)
        if auth is not None:
            await auth.close()


class InitServices(_Step):
    """The application services every entry point uses, and the ``@rpc`` functions of the apps."""

    name = "init_services"
    order = 70

    async def run(self, context: BootstrapContext) -> None:
        database: DatabaseRuntime = context.state["database"]
        registry: MetaRegistry = context.state["registry"]
        documents = DocumentService(
            registry=registry,
            repositories=database.repositories,
            unit_of_work=database.unit_of_work,
            permission=context.state["permission"],
            settings=context.settings,
        )
        context.state["documents"] = documents
        context.state["sharing"] = SharingService(documents)
        rpc = RpcRegistry()
        rpc.discover(registry.packages())
        context.state["rpc"] = rpc
