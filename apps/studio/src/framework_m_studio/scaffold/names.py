"""The names a scaffold derives from what the user typed, checked before anything is written.

An app is a Python package: ``my_app`` (``my-app`` is accepted and becomes ``my_app``; the
distribution is ``my-app``). A DocType is a class: ``Sales Invoice``, ``sales_invoice`` and
``SalesInvoice`` all give the class ``SalesInvoice`` in the folder ``sales_invoice``.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

from framework_m_core.doctypes import BUILTIN_DOCTYPES
from framework_m_core.domain.meta import snake_case


class ScaffoldError(Exception):
    """A problem the user can fix (a bad name, an existing directory, no app); one line."""


_APP_NAME = re.compile(r"[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*")
_SITE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# Packages an app must not shadow: importing the app would hide them (or they it).
_TAKEN_PACKAGES = frozenset(
    {
        "framework_m",
        "framework_m_core",
        "framework_m_standard",
        "framework_m_desk",
        "framework_m_studio",
        "src",
        "doctypes",
    }
)
# Table names are derived from it; PostgreSQL cuts identifiers at 63 bytes, indexes add to them.
_MAX_MODULE = 48
_MAX_APP = 32
# Names a generated module already uses for what it imports.
_RESERVED_CLASSES = frozenset({"Controller", "DocType", "Field", "HookContext", "ValidationError"})


@dataclass(frozen=True)
class AppName:
    package: str
    """Import name and directory name: ``my_app``."""
    distribution: str
    """``[project] name`` of the generated pyproject: ``my-app``."""

    @property
    def title(self) -> str:
        """For the README: ``My App``."""
        return " ".join(part.capitalize() for part in self.package.split("_"))


@dataclass(frozen=True)
class DocTypeName:
    class_name: str
    """The DocType class and its name at the edges (URLs): ``SalesInvoice``."""
    module: str
    """Folder, table and test file stem: ``sales_invoice``."""

    @property
    def label(self) -> str:
        """Human words: ``Sales Invoice``."""
        return self.module.replace("_", " ").title()

    @property
    def controller(self) -> str:
        return f"{self.class_name}Controller"


def app_name(raw: str) -> AppName:
    """Check an app name; raise :class:`ScaffoldError` saying what a valid one looks like."""
    text = raw.strip()
    if not _APP_NAME.fullmatch(text):
        raise ScaffoldError(
            f"Invalid app name {raw!r}: use lowercase letters, digits and underscores, "
            "starting with a letter (for example 'my_app')."
        )
    package = text.replace("-", "_")
    if len(package) > _MAX_APP:
        raise ScaffoldError(f"Invalid app name {raw!r}: at most {_MAX_APP} characters.")
    if keyword.iskeyword(package):
        raise ScaffoldError(f"Invalid app name {raw!r}: {package!r} is a Python keyword.")
    if package.startswith("test"):
        # pytest imports test modules by such names; the app would clash with its own tests.
        raise ScaffoldError(f"Invalid app name {raw!r}: names starting with 'test' are reserved.")
    if package in sys.stdlib_module_names or package in _TAKEN_PACKAGES:
        raise ScaffoldError(
            f"Invalid app name {raw!r}: it would shadow the module {package!r}; choose another."
        )
    return AppName(package=package, distribution=package.replace("_", "-"))


def site_name(raw: str) -> str:
    """Check a site name: a directory name such as ``erp`` or ``erp.example.com``."""
    text = raw.strip()
    if not _SITE_NAME.fullmatch(text) or ".." in text:
        raise ScaffoldError(
            f"Invalid site name {raw!r}: use lowercase letters, digits, dots, hyphens and "
            "underscores, starting with a letter or digit (for example 'erp.example.com')."
        )
    return text


def doctype_name(raw: str) -> DocTypeName:
    """Check a DocType name and derive its class and module names."""
    words = [w for w in re.split(r"[\s_-]+", raw.strip()) if w]
    if not words or not all(_WORD.fullmatch(word) for word in words):
        raise ScaffoldError(
            f"Invalid DocType name {raw!r}: use letters and digits, starting with a letter "
            "(for example 'Sales Invoice' or SalesInvoice)."
        )
    class_name = "".join(word[0].upper() + word[1:] for word in words)
    module = snake_case(class_name)
    if module.startswith("test"):
        raise ScaffoldError(
            f"Invalid DocType name {raw!r}: the app loader skips modules named test*, "
            f"so {module!r} would never load."
        )
    if keyword.iskeyword(module) or keyword.iskeyword(class_name):
        raise ScaffoldError(f"Invalid DocType name {raw!r}: {module!r} is a Python keyword.")
    if len(module) > _MAX_MODULE:
        raise ScaffoldError(
            f"Invalid DocType name {raw!r}: at most {_MAX_MODULE} characters as {module!r}."
        )
    builtin = {doctype.get_doctype_name() for doctype in BUILTIN_DOCTYPES}
    if class_name in builtin or class_name in _RESERVED_CLASSES:
        raise ScaffoldError(f"Invalid DocType name {raw!r}: {class_name} is a built-in name.")
    return DocTypeName(class_name=class_name, module=module)


__all__ = ["AppName", "DocTypeName", "ScaffoldError", "app_name", "doctype_name", "site_name"]
