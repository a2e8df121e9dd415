"""Acceptance: an installed package's ``framework_m.cli_commands`` entry point adds an ``m`` command.

The package is real as far as ``importlib.metadata`` knows: a module and its
``.dist-info`` (METADATA + entry_points.txt) in a directory on ``PYTHONPATH``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from cli_support import m, ok

pytestmark = pytest.mark.slow

PLUGIN = '''
"""A third-party package that extends ``m``."""

import cyclopts

greet_app = cyclopts.App(name="greet", help="Greet someone from a plugin app.")


@greet_app.default
def greet(name: str = "world", *, shout: bool = False) -> None:
    text = f"hello {name} from fm_acme_tools"
    print(text.upper() if shout else text)


def register(app: cyclopts.App) -> None:
    @app.command(name="acme:count")
    def count(upto: int) -> None:
        """Count from one, from a register() plugin."""
        print(" ".join(str(i) for i in range(1, upto + 1)))
'''


@pytest.fixture
def site_packages(tmp_path: Path) -> Path:
    packages = tmp_path / "site-packages"
    packages.mkdir()
    (packages / "fm_acme_tools.py").write_text(PLUGIN)
    dist_info = packages / "fm_acme_tools-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fm-acme-tools\nVersion: 0.1\n"
    )
    (dist_info / "entry_points.txt").write_text(
        textwrap.dedent(
            """
            [framework_m.cli_commands]
            greet = fm_acme_tools:greet_app
            acme = fm_acme_tools:register
            """
        )
    )
    return packages


def test_installed_plugin_commands_are_listed_and_run(tmp_path: Path, site_packages: Path) -> None:
    env = {"PYTHONPATH": str(site_packages)}
    help_text = ok(tmp_path, "--help", env=env)
    assert "greet" in help_text
    assert "Greet someone from a plugin app." in help_text
    assert "acme:count" in help_text
    assert "Count from one, from a register() plugin." in help_text
    # The framework's own commands are still there.
    for command in ("start", "test", "migrate"):
        assert f" {command} " in help_text

    assert ok(tmp_path, "greet", "--name", "ada", env=env) == "hello ada from fm_acme_tools\n"
    assert ok(tmp_path, "greet", "--shout", env=env) == "HELLO WORLD FROM FM_ACME_TOOLS\n"
    assert ok(tmp_path, "acme:count", "3", env=env) == "1 2 3\n"


def test_without_the_package_the_command_does_not_exist(tmp_path: Path) -> None:
    assert "acme:count" not in ok(tmp_path, "--help")
    result = m(tmp_path, "acme:count", "3")
    assert result.returncode != 0
    assert "acme:count" in result.stdout + result.stderr
