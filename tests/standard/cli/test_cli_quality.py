"""``m test``, ``m lint``, ``m format``, ``m typecheck``: the tools run and their exit codes relay."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest
from cli_support import SHOP_PACKAGE, m, ok, write_app_checkout

pytestmark = pytest.mark.slow

APP_TESTS = f"""
import json
import os

from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import load_settings

from {SHOP_PACKAGE}.doctypes import Product


def test_the_uninstalled_app_is_an_installed_app():
    registry = MetaRegistry()
    registry.load_apps(load_settings().apps)
    assert registry.get_doctype("Product") is Product
    assert json.loads(os.environ["FRAMEWORK_M_APPS"])[-1] == "{SHOP_PACKAGE}"


def test_prices_start_at_zero():
    assert Product(title="Lamp").price == 0


def test_broken():
    assert Product(title="Lamp").price == 1
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = write_app_checkout(tmp_path / "shop")
    (root / "tests").mkdir()
    (root / "tests" / "test_product.py").write_text(APP_TESTS)
    # Quiet, deterministic pytest runs in the app: its own config, no cache directory.
    (root / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    return root


def test_m_test_runs_the_app_tests_and_relays_the_exit_code(shop: Path) -> None:
    passed = m(shop, "test", "-k", "not broken", "--verbose")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "test_the_uninstalled_app_is_an_installed_app PASSED" in passed.stdout
    assert "test_prices_start_at_zero PASSED" in passed.stdout
    assert "1 deselected" in passed.stdout

    failed = m(shop, "test")
    assert failed.returncode == 1
    assert "1 failed, 2 passed" in failed.stdout


def test_m_test_passes_arguments_after_the_separator_to_pytest(shop: Path) -> None:
    result = m(shop / "tests", "test", "test_product.py", "--", "-x", "-q")
    assert result.returncode == 1
    assert "stopping after 1 failures" in result.stdout


def test_m_test_coverage(shop: Path) -> None:
    result = m(shop, "test", "-k", "not broken", "--coverage")
    if importlib.util.find_spec("pytest_cov") is None:
        assert result.returncode == 1
        assert result.stderr.strip() == (
            "m: error: --coverage needs pytest-cov in this environment: pip install pytest-cov"
        )
    else:
        assert result.returncode == 0, result.stderr
        assert f"src/{SHOP_PACKAGE}/doctypes.py" in result.stdout


UNUSED_IMPORT = "import os\n\n\ndef f() -> int:\n    return 1\n"
BADLY_FORMATTED = "def f( x ):\n  return x\n"
WRONG_TYPE = "def f() -> int:\n    return 'one'\n"


def test_m_lint(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(UNUSED_IMPORT)
    found = m(tmp_path, "lint")
    assert found.returncode == 1
    assert "F401" in found.stdout
    fixed = m(tmp_path, "lint", "--fix")
    assert fixed.returncode == 0, fixed.stdout
    assert "import os" not in (tmp_path / "mod.py").read_text()


def test_m_format(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(BADLY_FORMATTED)
    check = m(tmp_path, "format", "--check")
    assert check.returncode == 1
    assert "1 file would be reformatted" in check.stdout
    assert (tmp_path / "mod.py").read_text() == BADLY_FORMATTED
    ok(tmp_path, "format", "mod.py")
    assert (tmp_path / "mod.py").read_text() == "def f(x):\n    return x\n"


def test_m_typecheck_sees_the_app_package(tmp_path: Path) -> None:
    root = write_app_checkout(tmp_path / "shop")
    (root / "scripts").mkdir()
    (root / "scripts" / "price.py").write_text(
        textwrap.dedent(
            f"""
            from {SHOP_PACKAGE}.doctypes import Product


            def price(product: Product) -> int:
                return product.price
            """
        )
    )
    clean = m(root, "typecheck", "scripts/price.py", "--", "--no-incremental")
    assert clean.returncode == 0, clean.stdout
    assert "Success: no issues found in 1 source file" in clean.stdout
    (root / "scripts" / "wrong.py").write_text(WRONG_TYPE)
    wrong = m(root, "typecheck", "scripts", "--", "--no-incremental")
    assert wrong.returncode == 1
    assert 'Incompatible return value type (got "str", expected "int")' in wrong.stdout
