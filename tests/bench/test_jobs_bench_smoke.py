"""The jobs benchmark end to end: ``python -m bench.events.jobs_bench --quick`` on PostgreSQL
with one worker.

20 jobs, one run: the numbers mean nothing; the test proves that every setup (in-process,
NATS with an ``m worker`` process, the hand-written baselines) ran every job to Success, that the report is written, and that the session left no stream
or database behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service_support import PG_ADMIN_DB, PG_HOST, PG_PORT, PG_USER, pg_url, service_unavailable

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
NATS_URL = os.environ.get("FRAMEWORK_M_TEST_NATS_URL", "nats://127.0.0.1:4222")
# Every process start costs seconds on a busy 2-core runner: one worker and PostgreSQL only
# (SQLite in-process differs by its URL; a second worker by a second process).
COMMAND = ["--quick", "--db", "postgresql", "--workers", "1"]
EXPECTED = {
    ("in-process", "noop", "postgresql"),
    ("in-process", "write", "postgresql"),
    ("NATS + 1 worker", "noop", "postgresql"),
    ("NATS + 1 worker", "write", "postgresql"),
    ("baseline NATS, 1 consumer", "trivial", "-"),
    ("baseline NATS + PG row, 1 consumer", "trivial", "postgresql"),
}


async def _services() -> None:
    import nats

    try:
        client = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    except Exception as exc:
        service_unavailable(f"NATS at {NATS_URL} is unreachable: {exc}")
    await client.close()
    try:
        conn = await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB, timeout=5
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        service_unavailable(f"PostgreSQL at {PG_HOST}:{PG_PORT} is unreachable: {exc}")
    await conn.close()


async def _leftovers(unique: str, database: str) -> tuple[list[str], bool]:
    """Streams of the session still on the server; whether its database still exists."""
    import nats

    client = await nats.connect(NATS_URL)
    try:
        streams = [info.config.name or "" for info in await client.jetstream().streams_info()]
    finally:
        await client.close()
    conn = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB, timeout=5
    )
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
    finally:
        await conn.close()
    return [name for name in streams if unique in name], exists is not None


async def _clean_up(unique: str) -> None:
    """What a killed session leaves: its streams and its database."""
    import nats
    from nats.js.errors import NotFoundError

    client = await nats.connect(NATS_URL)
    try:
        js = client.jetstream()
        for info in await js.streams_info():
            if unique in (info.config.name or ""):
                with contextlib.suppress(NotFoundError):
                    await js.delete_stream(info.config.name or "")
    finally:
        await client.close()
    conn = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB, timeout=5
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "fm_bench_{unique}" WITH (FORCE)')
    finally:
        await conn.close()


def _run(command: list[str], env: dict[str, str], unique: str) -> tuple[int, str]:
    """The session in its own process group: a timeout kills its workers too."""
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
        asyncio.run(_clean_up(unique))
        pytest.fail(f"the quick jobs bench took over 120 s:\n{stderr[-6000:]}")
    return process.returncode, stderr


def test_quick_jobs_bench_runs_every_setup(tmp_path: Path) -> None:
    asyncio.run(_services())
    env = dict(os.environ, DATABASE_URL=pg_url(PG_ADMIN_DB), FRAMEWORK_M_BENCH_NATS_URL=NATS_URL)
    unique = uuid.uuid4().hex[:10]
    command = [sys.executable, "-m", "bench.events.jobs_bench", *COMMAND]
    command += ["--output", str(tmp_path), "--session-id", unique]
    returncode, stderr = _run(command, env, unique)

    assert returncode == 0, stderr[-6000:]
    [md_path] = tmp_path.glob("*-jobs-quick.md")
    [json_path] = tmp_path.glob("*-jobs-quick.json")
    report: dict[str, Any] = json.loads(json_path.read_text())
    cases = {(c["setup"], c["job"], c["db"]): c for c in report["cases"]}
    assert set(cases) == EXPECTED
    for key, case in cases.items():
        assert len(case["runs"]) == 1, key
        run = case["runs"][0]
        assert run["jobs"] == 20, key
        assert run["failed"] == 0, (key, run)
        assert case["jobs_per_s"] > 0, key
        assert 0 < run["p50_ms"] <= run["p95_ms"], (key, run)
        assert case["rss_mb"] > 0, key
    text = md_path.read_text()
    assert "| NATS + 1 worker | write | postgresql |" in text
    assert "| in-process | noop | postgresql |" in text

    assert report["session"] == {"unique": unique, "database": f"fm_bench_{unique}"}
    streams, database_exists = asyncio.run(_leftovers(unique, f"fm_bench_{unique}"))
    assert streams == []
    assert not database_exists
