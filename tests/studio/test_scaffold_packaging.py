"""Scaffolding lives in framework-m-studio: production installs carry none of it (Phase 11 §1.2)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, entry_points, requires

from packaging.requirements import Requirement

from framework_m_core.cli.app import CLI_COMMANDS_GROUP, build_app

SCAFFOLD_COMMANDS = {"new:app", "new:doctype", "new:site"}
DEVELOPMENT_ONLY = {"jinja2", "libcst", "cookiecutter", "cruft", "framework-m-studio"}


def installed_closure(distribution: str) -> set[str]:
    """Every distribution ``distribution`` needs, its extras left out."""
    seen: set[str] = set()
    pending = [distribution]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        for text in needs:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name.lower().replace("_", "-"))
    return seen


def test_the_production_packages_need_no_scaffolding_tools() -> None:
    closure = installed_closure("framework-m")
    assert {"framework-m-core", "framework-m-standard", "sqlalchemy"} <= closure  # it did walk
    assert closure & DEVELOPMENT_ONLY == set()


def test_studio_needs_no_template_engine_either() -> None:
    assert installed_closure("framework-m-studio") & {"jinja2", "libcst", "cookiecutter"} == set()


def test_the_scaffold_commands_come_from_the_studio_entry_point_only() -> None:
    plugins = list(entry_points(group=CLI_COMMANDS_GROUP))
    studio = [ep for ep in plugins if ep.dist is not None and ep.dist.name == "framework-m-studio"]
    assert [(ep.name, ep.value) for ep in studio] == [
        ("scaffold", "framework_m_studio.cli:register")
    ]
    others = [ep for ep in plugins if ep not in studio]
    assert SCAFFOLD_COMMANDS & set(build_app(others)) == set()
    assert set(build_app(studio)) >= SCAFFOLD_COMMANDS
