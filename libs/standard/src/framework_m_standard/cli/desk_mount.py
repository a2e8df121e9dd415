"""Where ``m start`` finds the Desk: the built SPA that ``framework_m_desk`` ships.

When the installed ``framework_m_desk`` package holds a built SPA
(``framework_m_desk/static/index.html``, written there by ``npm run build`` in ``frontend/``),
``m start`` serves it at ``/desk`` through ``framework_m_desk.serving`` (hashed assets cached
for good, the SPA's index for client-side routes, a strict Content-Security-Policy) and
redirects ``/`` there. Until then ``desk_assets()`` answers None and nothing is mounted.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar import Router

    from framework_m_core.settings import Settings

DESK_PACKAGE = "framework_m_desk"
DESK_PATH = "/desk"


def desk_assets() -> Path | None:
    """The directory of the built Desk, when ``framework_m_desk`` is installed and built."""
    spec = importlib.util.find_spec(DESK_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        static = Path(location) / "static"
        if (static / "index.html").is_file():
            return static
    return None


def desk_status() -> str:
    """One line for ``m start`` and ``m info``: whether the Desk is served, and why not."""
    if importlib.util.find_spec(DESK_PACKAGE) is None:
        return "not installed (framework-m-desk)"
    if desk_assets() is None:
        return f"installed but not built ({DESK_PACKAGE}/static/index.html is missing)"
    return f"served at {DESK_PATH}"


def desk_router(assets: Path, settings: Settings | None = None) -> Router:
    """The Desk's routes at ``/desk`` (and ``/`` redirecting there), public like a login page:
    the API checks every call. ``settings`` name the app in ``/desk/config.js`` (by default
    those of the framework app the router is registered on)."""
    # Imported here: framework_m_desk is optional, and it imports the web adapter.
    from framework_m_desk.serving import desk_router as serving_router

    return serving_router(assets, settings=settings)


__all__ = ["DESK_PATH", "desk_assets", "desk_router", "desk_status"]
