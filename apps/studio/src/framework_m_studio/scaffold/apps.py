"""Which app a command means: the ``--app`` it names, the project it runs in, or the user's pick.

An app is a package advertised under the ``framework_m.apps`` entry-point group, either in the
``pyproject.toml`` of a checkout (usable before it is installed) or by an installed
distribution. Its DocTypes go in ``<package>/doctypes/``.
"""

from __future__ import annotations

import importlib.util
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from framework_m_core.registry import APPS_GROUP
from framework_m_studio.scaffold.names import ScaffoldError

CANNOT_DETECT = "Cannot detect app. Use --app <name>."


@dataclass(frozen=True)
class AppLocation:
    name: str
    """The app's name in settings (``apps = [...]``): its entry point's name."""
    package: str
    """The import package the entry point names."""
    package_dir: Path | None
    """Where the package's source is (None: declared, but not found)."""
    origin: str
    """Where it was found, for messages: a ``pyproject.toml`` path or ``installed``."""

    def doctypes_dir(self) -> Path:
        if self.package_dir is None:
            raise ScaffoldError(
                f"App {self.name!r} ({self.origin}) names the package {self.package!r}, "
                "which is not there."
            )
        return self.package_dir / "doctypes"


def declared_apps(pyproject: Path) -> list[AppLocation]:
    """The apps a ``pyproject.toml`` declares (none when it declares no ``framework_m.apps``)."""
    try:
        data: dict[str, Any] = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScaffoldError(f"Cannot read {pyproject}: {exc}") from exc
    groups = data.get("project", {}).get("entry-points", {})
    declared = groups.get(APPS_GROUP, {}) if isinstance(groups, dict) else {}
    if not isinstance(declared, dict):
        return []
    root = pyproject.parent
    return [
        AppLocation(
            name=name,
            package=package,
            package_dir=_source_dir(root, package),
            origin=str(pyproject),
        )
        for name, package in declared.items()
        if isinstance(package, str)
    ]


def nearest_project_apps(start: Path) -> list[AppLocation]:
    """The apps of the nearest ``pyproject.toml`` at or above ``start`` that declares any."""
    here = start.resolve()
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            found = declared_apps(candidate)
            if found:
                return found
    return []


def apps_below(directory: Path) -> list[AppLocation]:
    """Apps in the direct sub-directories of ``directory`` (where ``m new:app`` puts them)."""
    found: list[AppLocation] = []
    try:
        children = sorted(p for p in directory.iterdir() if p.is_dir())
    except OSError:
        return found
    for child in children:
        candidate = child / "pyproject.toml"
        if candidate.is_file():
            try:
                found.extend(declared_apps(candidate))
            except ScaffoldError:
                continue  # someone else's broken project is no reason to fail here
    return found


def installed_apps() -> list[AppLocation]:
    """Apps advertised by installed distributions."""
    return [
        AppLocation(
            name=ep.name,
            package=ep.value,
            package_dir=_installed_dir(ep.value),
            origin="installed",
        )
        for ep in entry_points(group=APPS_GROUP)
    ]


def resolve_app(
    app: str | None,
    *,
    cwd: Path,
    interactive: bool,
    ask: Callable[[str], str] = input,
) -> AppLocation:
    """``--app`` if given; else the app of the nearest project; else ask on a terminal."""
    nearest = nearest_project_apps(cwd)
    if app is not None:
        candidates = _unique([*nearest, *apps_below(cwd), *installed_apps()])
        for location in candidates:
            if app in (location.name, location.package):
                return location
        known = ", ".join(location.name for location in candidates) or "none"
        raise ScaffoldError(f"App {app!r} not found (apps found here: {known}).")
    if len(nearest) == 1:
        return nearest[0]
    if not interactive:
        raise ScaffoldError(CANNOT_DETECT)
    candidates = nearest or _unique([*apps_below(cwd), *installed_apps()])
    if not candidates:
        raise ScaffoldError(
            "No app found here or installed: create one with `m new:app NAME`, or use --app <name>."
        )
    return _choose(candidates, ask)


def _choose(candidates: list[AppLocation], ask: Callable[[str], str]) -> AppLocation:
    names = [location.name for location in candidates]
    question = f"Which app? [{', '.join(names)}]: "
    for _ in range(3):
        try:
            answer = ask(question).strip()
        except EOFError:
            break
        if answer.isdigit() and 1 <= int(answer) <= len(candidates):
            return candidates[int(answer) - 1]
        if answer in names:
            return candidates[names.index(answer)]
        if not answer and len(candidates) == 1:
            return candidates[0]
    raise ScaffoldError(CANNOT_DETECT)


def _unique(locations: Iterable[AppLocation]) -> list[AppLocation]:
    """First location per app name: a checkout beats the installed copy of the same app."""
    seen: dict[str, AppLocation] = {}
    for location in locations:
        seen.setdefault(location.name, location)
    return list(seen.values())


def _source_dir(root: Path, package: str) -> Path | None:
    parts = package.partition(":")[0].split(".")
    for base in (root / "src", root):
        candidate = base.joinpath(*parts)
        if (candidate / "__init__.py").is_file():
            return candidate
    return None


def _installed_dir(package: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package.partition(":")[0])
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


__all__ = [
    "CANNOT_DETECT",
    "AppLocation",
    "apps_below",
    "declared_apps",
    "installed_apps",
    "nearest_project_apps",
    "resolve_app",
]
