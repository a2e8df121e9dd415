"""``m test``, ``m lint``, ``m format`` and ``m typecheck``: strict relays to the standard tools.

Each runs pytest, ruff or mypy in this Python environment with the app checkout on the
path (see ``app_checkout``) and exits with the tool's own exit code, so CI reads them like
the tools themselves. Arguments after ``--`` go to the tool unchanged.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Annotated, NoReturn

import cyclopts

from framework_m_standard.cli.app_checkout import AppCheckout, activate, find_app_checkout
from framework_m_standard.cli.user_errors import fail

FLAG = cyclopts.Parameter(negative=())
"""A boolean option without a ``--no-`` twin."""

INTERRUPTED = 130
"""Exit code of a command stopped with Ctrl+C (128 + SIGINT)."""


def register(app: cyclopts.App) -> None:
    app.command(run_tests, name="test")
    app.command(lint, name="lint")
    app.command(format_code, name="format")
    app.command(typecheck, name="typecheck")


def run_tests(
    *args: str,
    k: Annotated[str | None, cyclopts.Parameter(["-k"])] = None,
    verbose: Annotated[bool, cyclopts.Parameter(["--verbose", "-v"], negative=())] = False,
    coverage: Annotated[bool, FLAG] = False,
) -> None:
    """Run the tests with pytest, the app importable without install.

    Parameters
    ----------
    args
        Test paths, then anything for pytest after ``--`` (``m test tests -- -x``).
    k
        Only tests whose names match this expression.
    verbose
        List every test.
    coverage
        Measure coverage of the app (needs pytest-cov).
    """
    checkout = _checkout()
    tokens = list(args)
    if k is not None:
        tokens += ["-k", k]
    if verbose:
        tokens.append("-v")
    if coverage:
        if importlib.util.find_spec("pytest_cov") is None:
            fail("--coverage needs pytest-cov in this environment: pip install pytest-cov")
        packages = checkout.packages if checkout is not None else []
        tokens += [f"--cov={p}" for p in packages] or ["--cov"]
        tokens.append("--cov-report=term-missing")
    _relay("pytest", tokens)


def lint(*paths: str, fix: Annotated[bool, FLAG] = False) -> None:
    """Lint with ruff (``ruff check``).

    Parameters
    ----------
    paths
        Files or directories (default: the working directory), then ruff options after ``--``.
    fix
        Also apply ruff's safe fixes.
    """
    _checkout()
    _relay("ruff", ["check", *(["--fix"] if fix else []), *(paths or ["."])])


def format_code(*paths: str, check: Annotated[bool, FLAG] = False) -> None:
    """Format with ruff (``ruff format``).

    Parameters
    ----------
    paths
        Files or directories (default: the working directory), then ruff options after ``--``.
    check
        Only report files that would change (exit 1 if any).
    """
    _checkout()
    _relay("ruff", ["format", *(["--check"] if check else []), *(paths or ["."])])


def typecheck(*paths: str) -> None:
    """Type-check with mypy.

    Parameters
    ----------
    paths
        Files or directories (default: the working directory), then mypy options after ``--``.
    """
    checkout = _checkout()
    if checkout is not None:
        # Imports of the app resolve from its source directory, as at run time.
        mypy_path = [str(checkout.source_dir), *filter(None, [os.environ.get("MYPYPATH")])]
        os.environ["MYPYPATH"] = os.pathsep.join(mypy_path)
    _relay("mypy", list(paths or ["."]))


def _checkout() -> AppCheckout | None:
    checkout = find_app_checkout()
    activate(checkout)
    return checkout


def _relay(module: str, args: Sequence[str]) -> NoReturn:
    """Run ``python -m module args`` here and exit with its exit code."""
    if importlib.util.find_spec(module) is None:
        fail(f"{module} is not installed in this environment: pip install {module}")
    process = subprocess.Popen([sys.executable, "-m", module, *args])
    try:
        code = process.wait()
    except KeyboardInterrupt:
        # The tool got the same Ctrl+C; let it finish its report.
        code = process.wait()
        raise SystemExit(INTERRUPTED) from None
    raise SystemExit(code)


__all__ = ["format_code", "lint", "register", "run_tests", "typecheck"]
