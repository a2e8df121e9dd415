"""Helpers of the ``m import`` / ``m export`` / ``m user:*`` tests: a temporary site served by
the ``io_sample`` app, the real ``m`` run in a subprocess, and plain SQL to check results."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from service_support import create_pg_database, drop_pg_database, pg_url

IO_SITE = Path(__file__).parent / "io_site"
M = Path(sys.executable).with_name("m")


def write_site(root: Path, database_url: str, *, extra: str = "") -> Path:
    """A site directory whose ``framework_config.toml`` serves ``io_sample`` on the database
    (``extra``: more TOML, e.g. a ``[tenancy]`` section)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "framework_config.toml").write_text(
        f'apps = ["io_sample"]\ndatabase_url = "{database_url}"\nenvironment = "test"\n{extra}'
    )
    return root


def m_env() -> dict[str, str]:
    """The environment of ``m``: nothing but the site's config decides."""
    assert M.is_file(), f"the m console script is not installed next to {sys.executable}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRAMEWORK_M_")}
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = os.pathsep.join([str(IO_SITE), env.get("PYTHONPATH", "")])
    return env


def m(
    site: Path, *args: str, stdin: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``m ARGS`` in the site directory, stdin and stdout not terminals."""
    return subprocess.run(
        [str(M), *args],
        cwd=site,
        env=m_env(),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def m_on_terminal(
    site: Path, *args: str, answers: Sequence[tuple[str, str]] = (), timeout: float = 300
) -> tuple[int, str]:
    """``m ARGS`` on a pseudo-terminal (its controlling terminal); ``answers`` are
    ``(prompt, text)``: ``text`` is typed once ``prompt`` has appeared. Exit code and output."""
    master, slave = pty.openpty()

    def controlling_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [str(M), *args],
        cwd=site,
        env={**m_env(), "COLUMNS": "100", "TERM": "xterm"},
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every copy of the terminal's other end is closed
                    break
                if not chunk:
                    break
                output += chunk
            if pending and pending[0][0].encode() in output.rsplit(b"\n", 1)[-1]:
                os.write(master, pending.pop(0)[1].encode())
        code = process.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return code, output.decode(errors="replace")


def ok(site: Path, *args: str, stdin: str | None = None) -> str:
    """``m ARGS``, which must succeed; its standard output."""
    result = m(site, *args, stdin=stdin)
    assert result.returncode == 0, f"m {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def refused(site: Path, *args: str, stdin: str | None = None) -> str:
    """``m ARGS``, which must fail with one error line and exit code 1; that line."""
    result = m(site, *args, stdin=stdin)
    assert result.returncode == 1, f"m {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("m: error: "), result.stderr
    return lines[0].removeprefix("m: error: ")


@asynccontextmanager
async def another_database(like: str, tmp_path: Path) -> AsyncIterator[str]:
    """A second empty database of the same kind as ``like`` (SQLite file or PostgreSQL)."""
    if like.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
        return
    name = await create_pg_database()
    try:
        yield pg_url(name)
    finally:
        await drop_pg_database(name)


async def query(database_url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a plain SQL query: results are checked without the code under test."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(sql), params)
            return [dict(row) for row in result.mappings()]
    finally:
        await engine.dispose()


async def scalar(database_url: str, sql: str, **params: Any) -> Any:
    rows = await query(database_url, sql, **params)
    return next(iter(rows[0].values()))
