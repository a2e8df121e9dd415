"""``m start``: serve the site with uvicorn.

A relay, not a server of its own: the options go to uvicorn as they are. What it adds is
the app checkout on the path (see ``app_checkout``), the Desk when it is built, a check that
the installed apps import before any worker starts, and the h11 parser with room for the
longest URL the API documents (httptools answers a plain-text 400 to long request heads).
"""

from __future__ import annotations

import copy
import logging
from typing import Annotated, Any, Literal

import cyclopts

from framework_m_core.exceptions import FrameworkError
from framework_m_standard.cli.app_checkout import activate, find_app_checkout, installed_apps
from framework_m_standard.cli.desk_mount import desk_status
from framework_m_standard.cli.user_errors import fail, one_line, settings_or_fail

MAX_REQUEST_HEAD = 256 * 1024
"""Bytes of request line + headers h11 accepts (8 KiB of filters, percent-encoded, fit)."""

STARTUP_FAILURE = 3
"""uvicorn's exit code when the application's start-up fails."""

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]


def register(app: cyclopts.App) -> None:
    app.command(start, name="start")


def start(
    *,
    host: str = "127.0.0.1",
    port: Annotated[int, cyclopts.Parameter(["--port", "-p"])] = 8000,
    workers: int = 1,
    reload: Annotated[bool, cyclopts.Parameter(negative=())] = False,
    log_level: LogLevel = "info",
) -> None:
    """Serve the site (API, and the Desk when built) with uvicorn.

    Parameters
    ----------
    host
        Address to listen on (0.0.0.0 for every interface).
    port
        Port to listen on.
    workers
        Worker processes (ignored with --reload).
    reload
        Restart when a source file changes (development).
    log_level
        Uvicorn's log level.
    """
    if not 0 < port < 65536:
        fail(f"--port must be between 1 and 65535, not {port}")
    if workers < 1:
        fail(f"--workers must be at least 1, not {workers}")
    import uvicorn

    checkout = find_app_checkout()
    activate(checkout)
    settings = settings_or_fail()
    from framework_m_standard.cli.site_app import FACTORY, build_site_app, served_app

    try:
        # Built here so that an app that fails to import is one line, before any worker starts.
        site = build_site_app(settings)
    except (ImportError, FrameworkError) as exc:
        fail(f"cannot load the installed apps: {one_line(exc)}")
    apps = ", ".join(installed_apps(settings.apps)) or "no apps"
    url = _url(host, port)
    print(f"Framework M serving {apps} at {url}")
    if checkout is not None:
        print(f"App checkout: {checkout.root}")
    print(f"Desk: {desk_status()}")
    print(f"API docs: {url}/schema/swagger")
    # Several processes need an import string to build their own app; one can serve this one.
    many = workers > 1 or reload
    try:
        uvicorn.run(
            FACTORY if many else served_app(site),
            factory=many,
            host=host,
            port=port,
            workers=workers if workers > 1 and not reload else None,
            reload=reload,
            reload_dirs=[str(checkout.root)] if reload and checkout is not None else None,
            log_level=log_level,
            log_config=_log_config(),
            http="h11",
            h11_max_incomplete_event_size=MAX_REQUEST_HEAD,
        )
    except SystemExit as exc:
        # uvicorn exits 3 when the app fails to start: for the user, a failed command.
        raise SystemExit(1 if exc.code == STARTUP_FAILURE else exc.code) from None
    if _WATCH.failed:
        raise SystemExit(1)


class _WorkerStartWatch(logging.Handler):
    """Notices a worker that failed to start: uvicorn's supervisor then stops, yet exits 0."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if "failed to start" in record.getMessage():
            self.failed = True


_WATCH = _WorkerStartWatch()


def _watch() -> _WorkerStartWatch:
    return _WATCH


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the watch on its supervisor (configured loggers lose handlers
    added before, so the watch goes in the configuration)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["start_watch"] = {"()": f"{__name__}._watch"}
    config["loggers"]["uvicorn"]["handlers"].append("start_watch")
    return config


def _url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


__all__ = ["MAX_REQUEST_HEAD", "register", "start"]
