"""The application ``m start`` serves: the framework app plus the Desk when it is built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from framework_m_core.settings import Settings, load_settings
from framework_m_standard.cli.desk_mount import desk_assets, desk_router
from framework_m_standard.cli.startup_errors import OneLineStartupErrors

if TYPE_CHECKING:
    from litestar import Litestar

FACTORY = "framework_m_standard.cli.site_app:site_app"
"""Import string of the factory, for uvicorn's reloader and worker processes."""


def build_site_app(settings: Settings) -> Litestar:
    from framework_m_standard.adapters.web.app import create_app

    app = create_app(settings)
    assets = desk_assets()
    if assets is not None:
        app.register(desk_router(assets))
    return app


def served_app(site: Litestar) -> OneLineStartupErrors:
    """What uvicorn runs: the site, with start-up failures reported on one line."""
    return OneLineStartupErrors(site)


def site_app() -> OneLineStartupErrors:
    """ASGI factory: settings from ``framework_config.toml`` and the environment."""
    return served_app(build_site_app(load_settings()))


__all__ = ["FACTORY", "build_site_app", "served_app", "site_app"]
