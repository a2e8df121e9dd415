"""Scaffolding: ``m new:app``, ``m new:doctype`` and ``m new:site`` write from templates."""

from framework_m_studio.scaffold.apps import CANNOT_DETECT, AppLocation, resolve_app
from framework_m_studio.scaffold.create import create_app, create_doctype, create_site
from framework_m_studio.scaffold.names import (
    AppName,
    DocTypeName,
    ScaffoldError,
    app_name,
    doctype_name,
    site_name,
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
    "create_site",
    "doctype_name",
    "resolve_app",
    "site_name",
]
