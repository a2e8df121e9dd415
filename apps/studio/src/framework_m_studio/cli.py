"""``m new:app``, ``m new:doctype`` and ``m new:site``: the studio's scaffolding, an ``m`` plugin.

Registered in the ``framework_m.cli_commands`` entry-point group, so ``m`` has them whenever
framework-m-studio is installed and production images without it stay lean.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import cyclopts

from framework_m_studio.scaffold import (
    ScaffoldError,
    app_name,
    create_app,
    create_doctype,
    create_site,
    doctype_name,
    resolve_app,
    site_name,
)


def register(app: cyclopts.App) -> None:
    """Add the scaffolding commands to the ``m`` root."""
    app.command(new_app, name="new:app")
    app.command(new_doctype, name="new:doctype")
    app.command(new_site, name="new:site")


def new_app(name: str, *, path: Path | None = None) -> None:
    """Create an app: a package with a doctypes folder, tests, a README and settings.

    ``m start`` run in the new directory serves it at once on SQLite.

    Parameters
    ----------
    name
        The app's package name: lowercase letters, digits and underscores (``my_app``).
    path
        Directory to create the app in (default: the working directory).
    """
    try:
        target = create_app(app_name(name), parent=path or Path.cwd())
    except ScaffoldError as exc:
        _fail(str(exc))
    print(f"Created app {target.name} in {target}")
    print(f"Next: cd {target} && m new:doctype NAME && m migrate && m start")


def new_site(
    name: str,
    *,
    path: Path | None = None,
    app: Annotated[list[str] | None, cyclopts.Parameter(negative=())] = None,
    database_url: str | None = None,
) -> None:
    """Create a site: a directory whose settings serve installed apps on one database.

    Parameters
    ----------
    name
        The site's directory name, e.g. erp or erp.example.com.
    path
        Directory to create the site in (default: the working directory).
    app
        An installed app to serve (repeatable; default: every installed app).
    database_url
        The site's database (default: a SQLite file in the site directory).
    """
    try:
        target = create_site(
            site_name(name), parent=path or Path.cwd(), apps=app or [], database_url=database_url
        )
    except ScaffoldError as exc:
        _fail(str(exc))
    print(f"Created site {target.name} in {target}")
    print(f"Next: cd {target} && m migrate && m user:create EMAIL --system-manager && m start")


def new_doctype(name: str, *, app: str | None = None) -> None:
    """Create a DocType: a folder in the app's doctypes with the model, its controller and a test.

    The app is ``--app``, else the one declared by the nearest pyproject.toml, else asked
    for on a terminal.

    Parameters
    ----------
    name
        The DocType, as words or CamelCase: "Sales Invoice" or SalesInvoice.
    app
        The app to add it to (its name in the framework_m.apps entry point).
    """
    try:
        doctype = doctype_name(name)
        location = resolve_app(app, cwd=Path.cwd(), interactive=sys.stdin.isatty())
        written = create_doctype(doctype, location)
    except ScaffoldError as exc:
        _fail(str(exc))
    folder = written[-1].parent
    print(f"Created DocType {doctype.class_name} in {location.name}: {folder}")
    for path in written:
        print(f"  {path.name}" if path.parent == folder else f"  {path}")
    print("Next: m migrate (creates its table), then m test")


def _fail(message: str) -> NoReturn:
    # The message alone: scripts match on it (e.g. "Cannot detect app. Use --app <name>.").
    print(message, file=sys.stderr)
    raise SystemExit(1)


__all__ = ["new_app", "new_doctype", "new_site", "register"]
