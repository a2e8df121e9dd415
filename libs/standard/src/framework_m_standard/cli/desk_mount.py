"""Where ``m start`` finds the Desk: the built SPA that ``framework_m_desk`` ships.

The seam for the Desk issue: when the installed ``framework_m_desk`` package holds a built
SPA (``framework_m_desk/static/index.html``, written there by the frontend build), it is
served at ``/desk``. Until then ``desk_assets()`` answers None and nothing is mounted.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar import Router

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


def desk_router(assets: Path) -> Router:
    """The Desk's files at ``/desk``, public like any login page (the API checks every call)."""
    from litestar.static_files import create_static_files_router

    return create_static_files_router(
        path=DESK_PATH,
        directories=[assets],
        html_mode=True,
        name="desk",
        opt={"auth": "none"},
        include_in_schema=False,
    )


__all__ = ["DESK_PATH", "desk_assets", "desk_router", "desk_status"]
