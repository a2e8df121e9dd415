"""Running the real ``m`` console script in a subprocess, with no site settings leaking in."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

M = Path(sys.executable).with_name("m")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment without framework settings (a developer's shell may set some)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FRAMEWORK_M_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def run_m(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``m ARGS`` in ``cwd`` with no terminal on stdin; output captured as text."""
    return subprocess.run(
        [str(M), *args],
        cwd=cwd,
        env=clean_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """``m ARGS``, which must succeed without a traceback; its standard output."""
    done = run_m(*args, cwd=cwd, env=env, timeout=300)
    assert done.returncode == 0, f"m {' '.join(args)}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout
