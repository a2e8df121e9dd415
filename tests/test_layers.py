"""The layer rule: core installs and imports alone; import-linter contracts hold."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_core_installs_and_imports_without_adapter_libraries(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is required (installed by the README's test command)")
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {**os.environ, "VIRTUAL_ENV": str(venv)}
    env.pop("PYTHONPATH", None)
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(python), str(ROOT / "libs" / "core")],
        check=True,
        env=env,
    )
    probe = (
        "import importlib, pkgutil, sys\n"
        "import framework_m_core\n"
        "for m in pkgutil.walk_packages(framework_m_core.__path__, 'framework_m_core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in ('sqlalchemy', 'litestar', 'alembic', 'asyncpg', 'redis', 'nats', 'httpx') if m in sys.modules]\n"
        "assert not bad, bad\n"
        "for m in ('sqlalchemy', 'litestar'):\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except ImportError:\n"
        "        pass\n"
        "    else:\n"
        "        raise AssertionError(m + ' is installed')\n"
        "print('core-ok')\n"
    )
    result = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "core-ok" in result.stdout


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout
