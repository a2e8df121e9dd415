"""Serve the built Desk at ``/desk``: hashed assets cached for good, the SPA's index otherwise.

- ``/desk/assets/*``: Vite's content-hashed files, ``Cache-Control: immutable`` for a year;
  a missing one is a 404 (never the index: a browser would run HTML as a script).
- ``/desk/config.js``: ``window.__FRAMEWORK_CONFIG__`` (a file, since the CSP forbids inline
  scripts), never cached.
- any other ``/desk`` path: the file when there is one (``favicon.svg``), else ``index.html``
  so the client-side router can draw ``/desk/login`` or ``/desk/app/Ticket``.
- nothing outside the static directory, and no dotfile (``.vite/manifest.json``).

Every response carries a Content-Security-Policy without inline scripts. The routes are public
like a login page: the API checks every call the Desk makes.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from litestar import Request, Response, Router, get
from litestar.params import PathParameter
from litestar.response import File, Redirect

from framework_m_core.settings import Settings
from framework_m_standard.adapters.web.runtime import STATE_KEY

DESK_PATH = "/desk"
ASSETS_DIR = "assets"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # React and Radix set style attributes; scripts stay 'self' only.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
DEFAULT_APP_NAME = "Framework M"


def app_name(settings: Settings | None) -> str:
    """The name the Desk shows: the first installed app in words (``helpdesk`` -> Helpdesk)."""
    if settings is None or not settings.apps:
        return DEFAULT_APP_NAME
    return settings.apps[0].replace("_", " ").replace("-", " ").strip().title() or DEFAULT_APP_NAME


def desk_config(settings: Settings | None) -> dict[str, str]:
    """What ``frontend/src/config.ts`` reads from ``window.__FRAMEWORK_CONFIG__``."""
    return {
        "apiBase": "",
        "deskBase": DESK_PATH,
        "authStrategy": "cookie",
        "loginUrl": "/login",
        "streamPath": "/api/v1/stream",
        "appName": app_name(settings),
    }


def config_script(settings: Settings | None) -> str:
    # ensure_ascii: U+2028/U+2029 and any other non-ASCII stay escapes, valid in every parser.
    payload = json.dumps(desk_config(settings), ensure_ascii=True, sort_keys=True)
    return f"window.__FRAMEWORK_CONFIG__ = {payload};\n"


def resolve_static(root: Path, relative: str) -> Path | None:
    """The file ``relative`` names inside ``root``, or None (absent, a dotfile, or outside)."""
    parts = PurePosixPath(relative.lstrip("/")).parts
    if any(part.startswith(".") or "\\" in part or "\x00" in part for part in parts):
        return None  # "..", dotfiles, and separators another OS would honour
    candidate = root.joinpath(*parts).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None  # a symlink out of the directory counts as outside
    return candidate


def _file(path: Path, cache_control: str) -> File:
    media_type, _ = mimetypes.guess_type(path.name)
    return File(
        path,
        content_disposition_type="inline",
        media_type=media_type or "application/octet-stream",
        headers={**SECURITY_HEADERS, "Cache-Control": cache_control},
    )


def _not_found() -> Response[str]:
    return Response(
        "Not Found",
        status_code=404,
        media_type="text/plain",
        headers={**SECURITY_HEADERS, "Cache-Control": NO_CACHE},
    )


def desk_router(static_dir: Path, *, settings: Settings | None = None) -> Router:
    """The Desk's routes (``/desk/...`` and the redirect of ``/``) serving ``static_dir``.

    ``settings`` name the app in ``config.js``; without them the running framework app's
    settings are used, when there is one.
    """
    root = static_dir.resolve()
    index = root / "index.html"

    @get(f"{DESK_PATH}/config.js", sync_to_thread=False)
    def config_js(request: Request[Any, Any, Any]) -> Response[str]:
        return Response(
            config_script(settings or _app_settings(request)),
            media_type="application/javascript",
            headers={**SECURITY_HEADERS, "Cache-Control": NO_CACHE},
        )

    @get([DESK_PATH, f"{DESK_PATH}/{{path:path}}"], sync_to_thread=False)
    def desk_file(path: Annotated[str, PathParameter()] = "/") -> Response[Any]:
        found = resolve_static(root, path)
        in_assets = PurePosixPath(path.lstrip("/")).parts[:1] == (ASSETS_DIR,)
        if found is not None:
            return _file(found, IMMUTABLE if in_assets else NO_CACHE)
        if in_assets or _names_dotfile(path):
            return _not_found()
        return _file(index, NO_CACHE)

    @get("/", sync_to_thread=False)
    def root_redirect() -> Redirect:
        return Redirect(f"{DESK_PATH}/", status_code=302, headers=SECURITY_HEADERS)

    return Router(
        path="/",
        route_handlers=[config_js, desk_file, root_redirect],
        opt={"auth": "none"},
        include_in_schema=False,
    )


def _names_dotfile(path: str) -> bool:
    return any(part.startswith(".") for part in PurePosixPath(path.lstrip("/")).parts)


def _app_settings(request: Request[Any, Any, Any]) -> Settings | None:
    """The framework app's settings (its runtime is there once the lifespan has started)."""
    runtime = request.app.state.get(STATE_KEY)
    settings = getattr(runtime, "settings", None)
    return settings if isinstance(settings, Settings) else None


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DESK_PATH",
    "SECURITY_HEADERS",
    "config_script",
    "desk_config",
    "desk_router",
    "resolve_static",
]
