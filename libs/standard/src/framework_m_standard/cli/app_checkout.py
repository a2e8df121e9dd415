"""Finding the app checkout ``m`` runs in, so that its app is served and tested without install.

An app checkout is the nearest directory (the working directory or a parent) whose
``pyproject.toml`` declares a ``framework_m.apps`` entry point. Its source directory (``src/``
for a src layout, else the checkout itself) goes on ``sys.path`` and ``PYTHONPATH``; when the
app is not installed, its package is added to the installed apps for this process and its
children (``FRAMEWORK_M_APPS``), unless the settings already name the apps.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import MutableMapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from framework_m_core.registry import APPS_GROUP

APPS_ENV = "FRAMEWORK_M_APPS"


@dataclass(frozen=True)
class AppCheckout:
    root: Path
    """The directory of the app's ``pyproject.toml``."""
    apps: dict[str, str]
    """Entry-point name -> value (``package`` or ``package.module``) of each declared app."""
    source_dir: Path
    """The directory that holds the app's top-level package."""

    @property
    def packages(self) -> list[str]:
        """The top-level packages of the declared apps."""
        return sorted({value.partition(":")[0].split(".")[0] for value in self.apps.values()})


def find_app_checkout(start: Path | None = None) -> AppCheckout | None:
    """The app checkout containing ``start`` (default: the working directory), if any."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        pyproject = directory / "pyproject.toml"
        if not pyproject.is_file():
            continue
        apps = _declared_apps(pyproject)
        if apps:
            return AppCheckout(root=directory, apps=apps, source_dir=_source_dir(directory, apps))
    return None


def _declared_apps(pyproject: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # Not ours to judge: a broken pyproject simply does not make an app checkout.
        return {}
    project = data.get("project")
    groups = project.get("entry-points") if isinstance(project, dict) else None
    apps = groups.get(APPS_GROUP) if isinstance(groups, dict) else None
    if not isinstance(apps, dict):
        return {}
    return {str(name): str(value) for name, value in apps.items()}


def _source_dir(root: Path, apps: dict[str, str]) -> Path:
    top = next(iter(apps.values())).partition(":")[0].split(".")[0]
    src = root / "src"
    return src if (src / top).exists() else root


def activate(
    checkout: AppCheckout | None, *, environ: MutableMapping[str, str] | None = None
) -> None:
    """Make ``checkout``'s app importable and installed here and in child processes."""
    if checkout is None:
        return
    env = os.environ if environ is None else environ
    source = str(checkout.source_dir)
    if source not in sys.path:
        sys.path.insert(0, source)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if source not in paths:
        env["PYTHONPATH"] = os.pathsep.join([source, *paths])
    if APPS_ENV in env or _config_names_apps():
        return
    advertised = {ep.name for ep in entry_points(group=APPS_GROUP)}
    missing = [value for name, value in checkout.apps.items() if name not in advertised]
    if missing:
        # Without install the app has no entry point: name every installed app plus this one.
        env[APPS_ENV] = json.dumps([*sorted(advertised), *missing])


def installed_apps(apps: list[str] | None) -> list[str]:
    """The apps a site with ``Settings.apps == apps`` loads, in order (as the registry does)."""
    if apps is not None:
        return list(apps)
    return sorted({ep.name for ep in entry_points(group=APPS_GROUP)})


def _config_names_apps() -> bool:
    from framework_m_core.settings import find_config_file

    path = find_config_file()
    if path is None:
        return False
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # load_settings reports the broken file with its own message
    framework = data.get("framework")
    return "apps" in data or (isinstance(framework, dict) and "apps" in framework)


__all__ = ["APPS_ENV", "AppCheckout", "activate", "find_app_checkout", "installed_apps"]
