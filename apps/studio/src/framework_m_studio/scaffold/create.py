"""Write a new app or a new DocType from the templates; never overwrite anything.

A new app's directory is claimed with one ``mkdir`` (it must not exist) and removed again if
writing fails half-way, so a failed ``m new:app`` leaves nothing behind to clean up.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

from framework_m_core.cli.app import core_version
from framework_m_studio.scaffold.apps import AppLocation
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
    if not parent.is_dir():
        raise ScaffoldError(f"Directory {parent} does not exist.")
    target = parent / name.package
    try:
        target.mkdir()
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; choose another name or --path.") from None
    except OSError as exc:
        raise ScaffoldError(f"Cannot create {target}: {exc.strerror or exc}") from exc
    values = {
        "package": name.package,
        "distribution": name.distribution,
        "title": name.title,
        "framework_version": core_version(),
    }
    try:
        for output, template in APP_FILES.items():
            text = render(f"app/{template}", values) if template else ""
            _write_new(target / output.format(package=name.package), text)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


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


__all__ = ["APP_FILES", "DOCTYPE_FILES", "create_app", "create_doctype"]
