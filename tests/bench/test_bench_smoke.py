"""The benchmark harness end to end: ``bench/run.py --quick`` on each database, under 2 minutes.

Tiny data and 1 s runs: the numbers mean nothing, the test proves that every scenario runs on
both apps without errors and that the report and its JSON are written.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service_support import (
    DATABASES,
    PG_ADMIN_DB,
    PG_HOST,
    PG_PORT,
    PG_USER,
    pg_url,
    service_unavailable,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = (
    "list",
    "get",
    "list_rls",
    "child_list",
    "count_1m",
    "update",
    "create",
    "delete",
    "bulk_insert",
    "cold_start",
)
HTTP_UNIT = "req/s"
# Failed requests tolerated per case: a write that loses a race to a concurrent write of the
# same row may get 409; a case that fails as a whole (a broken route, an exhausted delete
# pool) is far above this.
MAX_FAILED_SHARE = 0.01


async def _pg_reachable() -> None:
    try:
        conn = await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB, timeout=5
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        service_unavailable(f"PostgreSQL at {PG_HOST}:{PG_PORT} is unreachable: {exc}")
    else:
        await conn.close()


def _run_quick(database: str, output: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = pg_url(PG_ADMIN_DB)
    return subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--db", database, "--output", str(output)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.parametrize("database", DATABASES)
def test_quick_session_reports_every_scenario(database: str, tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        service_unavailable("wrk is not installed (bash bench/run.sh installs it)")
    if database == "postgresql":
        asyncio.run(_pg_reachable())

    done = _run_quick(database, tmp_path)

    assert done.returncode == 0, done.stderr[-6000:]
    [md_path] = tmp_path.glob("*.md")
    [json_path] = tmp_path.glob("*.json")
    report: dict[str, Any] = json.loads(json_path.read_text())
    results = [r for r in report["results"] if r["db"] == database]
    assert {r["scenario"] for r in results} == set(SCENARIOS)
    for result in results:
        # The whole result in the message: a failure here must say what wrk and the servers saw.
        name = f"{result['case']} on {database}: {json.dumps(result)[:1500]}\n{done.stdout[-3000:]}"
        assert result["framework"]["value"] > 0, name
        assert result["baseline"]["value"] > 0, name
        assert result["ratio"] > 0, name
        if result["unit"] == HTTP_UNIT:
            # The requests succeeded: no case measured an error path.
            for side in ("framework", "baseline"):
                numbers = result[side]
                failed = numbers["non_2xx"] + numbers["socket_errors"]
                assert failed <= MAX_FAILED_SHARE * numbers["requests"], f"{name}: {side} {numbers}"
    assert report["rls_cost_pct"][database] is not None
    assert {row["verdict"] for row in report["acceptance"]} <= {"PASS", "FAIL", "n/a"}
    text = md_path.read_text()
    assert "## Acceptance" in text
    assert "| list | " + database in text
