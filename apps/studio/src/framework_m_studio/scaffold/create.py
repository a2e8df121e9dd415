"""Write a new app, site or DocType from the templates; never overwrite anything.

A new directory is claimed with one ``mkdir`` (it must not exist) and removed again if
writing fails half-way, so a failed command leaves nothing behind to clean up.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from framework_m_core.cli.app import core_version
from framework_m_studio.scaffold.apps import AppLocation, installed_apps
from framework_m_studio.scaffold.names import AppName, DocTypeName, ScaffoldError
from framework_m_studio.scaffold.templates import render

# Output path (relative, with ``{package}``) -> template under templates/app/.
APP_FILES = {
    "pyproject.toml": "pyproject.toml",
    "framework_config.toml": "framework_config.toml",
    "README.md": "README.md",
    ".gitignore": "gitignore",
    "src/{package}/__init__.py": "package_init.py",
    "src/{package}/py.typed": "",
    "src/{package}/doctypes/__init__.py": "doctypes_init.py",
    "tests/test_app.py": "test_app.py",
}
SITE_FILES = {"framework_config.toml": "framework_config.toml", ".gitignore": "gitignore"}
DEFAULT_SITE_DATABASE = "sqlite+aiosqlite:///./site.db"
# Output file in the DocType's folder (with ``{module}``) -> template under templates/doctype/.
DOCTYPE_FILES = {
    "__init__.py": "__init__.py",
    "doctype.py": "doctype.py",
    "controller.py": "controller.py",
    "test_{module}.py": "test_doctype.py",
}


def create_app(name: AppName, *, parent: Path) -> Path:
    """Create the app ``name`` in ``parent/<package>``; return that directory."""
    if importlib.util.find_spec(name.package) is not None:
        raise ScaffoldError(
            f"A module named {name.package!r} is already installed; choose another app name."
        )
    values = {
        "package": name.package,
        "distribution": name.distribution,
        "title": name.title,
        "framework_version": core_version(),
    }
    files = {
        output.format(package=name.package): render(f"app/{template}", values) if template else ""
        for output, template in APP_FILES.items()
    }
    return _write_tree(parent / name.package, files)


def create_site(
    name: str, *, parent: Path, apps: Sequence[str] = (), database_url: str | None = None
) -> Path:
    """Create the site directory ``parent/name``: its settings name the apps and the database.

    ``apps`` must be installed (a site serves installed apps); none means every installed app.
    """
    installed = {location.name for location in installed_apps()}
    for app in apps:
        if app not in installed:
            known = ", ".join(sorted(installed)) or "none"
            raise ScaffoldError(
                f"App {app!r} is not installed (installed apps: {known}); "
                "install it first, e.g. pip install -e <app directory>."
            )
    url = database_url or DEFAULT_SITE_DATABASE
    if "://" not in url:
        raise ScaffoldError(
            f"Invalid database URL {url!r}: expected e.g. postgresql+asyncpg://user@host/db."
        )
    apps_setting = (
        f"apps = {_toml_list(apps)}"
        if apps
        else "# apps = [...]  # unset: every installed app, in name order"
    )
    values = {"site": name, "apps_setting": apps_setting, "database_url": _toml_string(url)}
    files = {output: render(f"site/{template}", values) for output, template in SITE_FILES.items()}
    return _write_tree(parent / name, files)


def create_doctype(name: DocTypeName, app: AppLocation) -> list[Path]:
    """Create ``<package>/doctypes/<module>/`` with its four files; return their paths."""
    doctypes = app.doctypes_dir()
    folder = doctypes / name.module
    if folder.exists():
        raise ScaffoldError(f"DocType {name.class_name} already exists in {app.name}: {folder}")
    clash = _defined_in(doctypes, name.class_name)
    if clash is not None:
        raise ScaffoldError(f"DocType {name.class_name} already exists in {app.name}: {clash}")
    values = {
        "app": app.name,
        "class_name": name.class_name,
        "controller": name.controller,
        "label": name.label,
    }
    written: list[Path] = []
    try:
        if not (doctypes / "__init__.py").exists():
            # An app made by hand may have no doctypes package yet.
            title = app.name.replace("_", " ").title()
            init = render("app/doctypes_init.py", {"title": title})
            written.append(_write_new(doctypes / "__init__.py", init))
        for output, template in DOCTYPE_FILES.items():
            path = folder / output.format(module=name.module)
            written.append(_write_new(path, render(f"doctype/{template}", values)))
    except BaseException as exc:
        shutil.rmtree(folder, ignore_errors=True)  # it did not exist before: no half DocType
        if isinstance(exc, OSError):
            raise ScaffoldError(f"Cannot write {folder}: {exc.strerror or exc}") from exc
        raise
    return written


def _write_tree(target: Path, files: Mapping[str, str]) -> Path:
    """Create ``target`` (which must not exist) holding ``files``; all of them or nothing."""
    if not target.parent.is_dir():
        raise ScaffoldError(f"Directory {target.parent} does not exist.")
    try:
        target.mkdir()
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; choose another name or --path.") from None
    except OSError as exc:
        raise ScaffoldError(f"Cannot create {target}: {exc.strerror or exc}") from exc
    try:
        for relative, text in files.items():
            _write_new(target / relative, text)
    except BaseException as exc:
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ScaffoldError(f"Cannot write {target}: {exc.strerror or exc}") from exc
        raise
    return target


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same quotes and escapes).
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_toml_string(value) for value in values) + "]"


def _write_new(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(text)
    return path


def _defined_in(doctypes: Path, class_name: str) -> Path | None:
    """A module under ``doctypes`` that already defines a class of this name."""
    pattern = re.compile(rf"^class {re.escape(class_name)}\b", re.MULTILINE)
    for module in sorted(doctypes.rglob("*.py")) if doctypes.is_dir() else []:
        try:
            if pattern.search(module.read_text(encoding="utf-8")):
                return module
        except (OSError, UnicodeDecodeError):
            continue
    return None


__all__ = [
    "APP_FILES",
    "DOCTYPE_FILES",
    "SITE_FILES",
    "create_app",
    "create_doctype",
    "create_site",
]
