"""Scaffolding: ``m new:app`` and ``m new:doctype`` write apps and DocTypes from templates."""

from framework_m_studio.scaffold.apps import CANNOT_DETECT, AppLocation, resolve_app
from framework_m_studio.scaffold.create import create_app, create_doctype
from framework_m_studio.scaffold.names import (
    AppName,
    DocTypeName,
    ScaffoldError,
    app_name,
    doctype_name,
)

__all__ = [
    "CANNOT_DETECT",
    "AppLocation",
    "AppName",
    "DocTypeName",
    "ScaffoldError",
    "app_name",
    "create_app",
    "create_doctype",
    "doctype_name",
    "resolve_app",
]
