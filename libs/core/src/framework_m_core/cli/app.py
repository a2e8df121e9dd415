"""The ``m`` command: a cyclopts root that plugins extend.

Plugins are entry points in the ``framework_m.cli_commands`` group. Each names either a
``cyclopts.App`` (mounted as the sub-command of the entry point's name) or a function
``register(app: cyclopts.App) -> None`` that adds its own commands. Plugins load when the
CLI runs, not when this module is imported; a broken plugin is reported and skipped.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, PackageNotFoundError, entry_points, version

import cyclopts

CLI_COMMANDS_GROUP = "framework_m.cli_commands"
HELP = "Framework M: metadata-driven business applications."


def core_version() -> str:
    """The installed version of framework-m-core (``0.0.0`` when not installed)."""
    try:
        return version("framework-m-core")
    except PackageNotFoundError:
        return "0.0.0"


def new_app() -> cyclopts.App:
    """The bare ``m`` root, without plugins."""
    return cyclopts.App(name="m", version=core_version(), help=HELP)


app = new_app()
"""The root ``main()`` runs; plugins are added to it on first run."""
_plugins_loaded = False


def load_plugins(target: cyclopts.App, eps: Iterable[EntryPoint] | None = None) -> list[str]:
    """Add every CLI plugin to ``target``; return the names of the plugins that loaded."""
    found = entry_points(group=CLI_COMMANDS_GROUP) if eps is None else eps
    loaded: list[str] = []
    for ep in found:
        try:
            plugin = ep.load()
            if isinstance(plugin, cyclopts.App):
                target.command(plugin, name=ep.name)
            elif callable(plugin):
                plugin(target)
            else:
                raise TypeError("expected a cyclopts.App or a register(app) function")
        except Exception as exc:
            print(
                f"warning: m: skipping CLI plugin {ep.name!r} ({ep.value}): {exc}",
                file=sys.stderr,
            )
            continue
        loaded.append(ep.name)
    return loaded


def build_app(eps: Iterable[EntryPoint] | None = None) -> cyclopts.App:
    """A new ``m`` root with the plugins of ``eps`` (default: the installed entry points)."""
    root = new_app()
    load_plugins(root, eps)
    return root


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point of ``m`` (``argv`` defaults to ``sys.argv[1:]``)."""
    global _plugins_loaded
    if not _plugins_loaded:
        load_plugins(app)
        _plugins_loaded = True
    app(sys.argv[1:] if argv is None else list(argv))


__all__ = [
    "CLI_COMMANDS_GROUP",
    "app",
    "build_app",
    "core_version",
    "load_plugins",
    "main",
    "new_app",
]
