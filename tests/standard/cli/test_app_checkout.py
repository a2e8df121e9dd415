"""Finding the app checkout ``m`` runs in, and putting its app on the path."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from framework_m_standard.cli.app_checkout import activate, find_app_checkout

APP_PYPROJECT = (
    '[project]\nname = "shop"\n\n[project.entry-points."framework_m.apps"]\nshop = "{value}"\n'
)


def _app(root: Path, *, src: bool = True, value: str = "shop") -> Path:
    package = (root / "src" if src else root) / "shop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(APP_PYPROJECT.format(value=value))
    return root


def test_src_layout_found_from_a_subdirectory(tmp_path: Path) -> None:
    root = _app(tmp_path / "shop")
    checkout = find_app_checkout(root / "src" / "shop")
    assert checkout is not None
    assert checkout.root == root.resolve()
    assert checkout.source_dir == (root / "src").resolve()
    assert checkout.apps == {"shop": "shop"}
    assert checkout.packages == ["shop"]


def test_flat_layout_and_module_values(tmp_path: Path) -> None:
    root = _app(tmp_path / "shop", src=False, value="shop.doctypes")
    checkout = find_app_checkout(root)
    assert checkout is not None
    assert checkout.source_dir == root.resolve()
    assert checkout.packages == ["shop"]


def test_projects_without_apps_and_broken_pyprojects_are_passed_over(tmp_path: Path) -> None:
    root = _app(tmp_path / "repo")
    tools = root / "tools"
    tools.mkdir()
    (tools / "pyproject.toml").write_text('[project]\nname = "tools"\n')
    broken = tools / "broken"
    broken.mkdir()
    (broken / "pyproject.toml").write_text("[project\n")
    checkout = find_app_checkout(broken)
    assert checkout is not None
    assert checkout.root == root.resolve()
    assert find_app_checkout(tmp_path) is None


def test_activate_puts_the_app_on_the_path_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _app(tmp_path / "shop")
    monkeypatch.chdir(root)
    monkeypatch.setattr(sys, "path", list(sys.path))
    env = {"PYTHONPATH": "/elsewhere"}
    activate(find_app_checkout(), environ=env)
    source = str((root / "src").resolve())
    assert sys.path[0] == source
    assert env["PYTHONPATH"] == os.pathsep.join([source, "/elsewhere"])
    # Not installed: the app joins the installed apps (found by entry point) by its package.
    assert json.loads(env["FRAMEWORK_M_APPS"])[-1] == "shop"
    again = dict(env)
    activate(find_app_checkout(), environ=again)
    assert again == env  # idempotent


def test_activate_leaves_apps_named_by_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _app(tmp_path / "shop")
    monkeypatch.chdir(root)
    monkeypatch.setattr(sys, "path", list(sys.path))
    env: dict[str, str] = {"FRAMEWORK_M_APPS": '["other"]'}
    activate(find_app_checkout(), environ=env)
    assert env["FRAMEWORK_M_APPS"] == '["other"]'
    (root / "framework_config.toml").write_text('apps = ["shop"]\n')
    env = {}
    activate(find_app_checkout(), environ=env)
    assert "FRAMEWORK_M_APPS" not in env
    assert env["PYTHONPATH"] == str((root / "src").resolve())
