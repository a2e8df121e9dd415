"""Framework M: the public API an app developer imports.

Apps import from here, never from adapters::

    from framework_m import DocType, Field, Controller, Link
"""

from __future__ import annotations

from pydantic import Field

from framework_m_core.domain.base_controller import BaseController as Controller
from framework_m_core.domain.base_controller import HookContext
from framework_m_core.domain.base_doctype import BaseChildDocType as ChildDocType
from framework_m_core.domain.base_doctype import BaseDocType as DocType
from framework_m_core.domain.link import Link
from framework_m_core.domain.mixins import DocStatus, SubmittableMixin
from framework_m_core.exceptions import (
    AuthenticationError,
    ConflictError,
    DocumentImmutableError,
    DuplicateNameError,
    EntityNotFoundError,
    FrameworkError,
    PermissionDeniedError,
    ValidationError,
    VersionConflictError,
)
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.repository import FilterSpec, OrderSpec, PaginatedResult
from framework_m_core.jobs import JobContext, job
from framework_m_core.rpc import RpcContext, rpc, whitelist
from framework_m_core.services.actor import Actor
from framework_m_core.system_context import SystemContext

__all__ = [
    "Actor",
    "AuthenticationError",
    "ChildDocType",
    "ConflictError",
    "Controller",
    "DocStatus",
    "DocType",
    "DocumentImmutableError",
    "DuplicateNameError",
    "EntityNotFoundError",
    "Field",
    "FilterSpec",
    "FrameworkError",
    "HookContext",
    "JobContext",
    "Link",
    "OrderSpec",
    "PaginatedResult",
    "PermissionDeniedError",
    "RpcContext",
    "SubmittableMixin",
    "SystemContext",
    "UserContext",
    "ValidationError",
    "VersionConflictError",
    "job",
    "rpc",
    "whitelist",
]
