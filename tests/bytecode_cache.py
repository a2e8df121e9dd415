"""Compiled bytecode for every Python process of a test run, kept outside the work tree.

Where PYTHONDONTWRITEBYTECODE is set (as on CI's machines) every subprocess of the suite
(uvicorn servers, ``m`` commands, ``m worker``) compiled SQLAlchemy, Pydantic, Litestar and
the framework from source again: seconds of CPU each, a few hundred times a run. Here one
process compiles them into a cache at the start of the run; every other process (this one,
its subprocesses, pytest-xdist workers) only reads it. Nothing a test writes is ever cached,
so a module a test rewrites within the same second (same mtime) is never read stale.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / f"framework-m-test-pycache-{os.getuid()}"
"""Per user; keyed inside by each source file's absolute path, so clones do not collide."""

PACKAGES = (
    "framework_m",
    "framework_m_core",
    "framework_m_standard",
    "framework_m_studio",
    "framework_m_desk",
    "uvicorn",
)
"""Imported module by module when the cache is filled: what they import is compiled too."""

SOURCE_TREES = ("tests", "docs/examples")
"""The sample apps and sites the subprocesses import from the repository."""

_IMPORT_EVERYTHING = f"""
import importlib, pkgutil
for name in {PACKAGES!r}:
    try:
        package = importlib.import_module(name)
    except Exception:
        continue
    for info in pkgutil.walk_packages(package.__path__, name + ".", onerror=lambda _: None):
        try:
            importlib.import_module(info.name)
        except Exception:
            pass  # an optional dependency not installed: nothing to compile
"""


def use_cache() -> None:
    """Read compiled modules from the cache, here and in every process started from here."""
    os.environ["PYTHONPYCACHEPREFIX"] = str(CACHE)
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    sys.pycache_prefix = str(CACHE)
    sys.dont_write_bytecode = True


def fill_cache() -> None:
    """Compile the framework, its dependencies and the tests' sample apps into the cache
    (only what changed since the last run: sources are checked by mtime and size)."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(CACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING],
        env=env,
        cwd=CACHE.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=600,
        check=False,
    )
    for tree in SOURCE_TREES:  # py_compile writes to sys.pycache_prefix, whatever the flag
        compileall.compile_dir(REPO / tree, quiet=2)
