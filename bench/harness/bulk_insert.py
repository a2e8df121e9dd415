"""Bulk insert, in-process: the framework repository vs the same INSERT on the raw driver.

``measure_bulk_insert`` runs this module (``python -m bench.harness.bulk_insert KIND DSN ROWS
RUNS``) in a subprocess pinned to the server core, with the framework's environment; it prints
``{"framework": [...], "baseline": [...]}`` in rows/s. Both sides start from the same plain values and end with the rows committed:
the framework builds documents and calls ``bulk_save`` inside a unit of work; the baseline
builds tuples and runs ``executemany`` of one INSERT in one transaction.

After each framework run the outbox relay publishes the run's 10,000 events in the background,
as it would in production; the next run (of either side) starts once it is done, so that its
work is neither timed nor taken from the baseline's core.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import func, select

from framework_m_core.bootstrap import Bootstrap, freeze_startup_heap
from framework_m_core.settings import load_settings
from framework_m_standard.adapters.db.outbox_repository import UNPUBLISHED
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

from .databases import BenchDatabase
from .options import Options
from .results import Case, Side, median
from .servers import SERVER_CORE
from .site import REPO_DIR

MODULE = "bench.harness.bulk_insert"
DOCTYPE = "BenchOpenItem"
TABLE = "bench_open_item"
OWNER = "bulk-loader"
COLUMNS = (
    "id",
    "name",
    "owner",
    "creation",
    "modified",
    "modified_by",
    "_version",
    "title",
    "status",
    "qty",
    "amount",
    "notes",
)


def values(rows: int, run: str) -> list[dict[str, Any]]:
    """Closed rows, so that the open-items list of the HTTP cases never sees them."""
    return [
        {
            "title": f"Bulk {run} {i}",
            "status": "closed",
            "qty": i % 100,
            "amount": i * 0.5,
            "notes": None,
        }
        for i in range(rows)
    ]


async def framework_run(
    runtime: DatabaseRuntime, doctype: Any, data: list[dict[str, Any]]
) -> float:
    repository = runtime.repositories.get(doctype)
    started = time.perf_counter()
    documents = [doctype(owner=OWNER, modified_by=OWNER, **item) for item in data]
    async with runtime.unit_of_work() as uow:
        await repository.bulk_save(uow.session, documents)
        await uow.commit()
    return len(data) / (time.perf_counter() - started)


async def settled(runtime: DatabaseRuntime, within: float = 120.0) -> None:
    """Until the outbox relay has published and marked every event (untimed)."""
    table = runtime.outbox.table
    deadline = time.monotonic() + within
    while True:
        async with runtime.unit_of_work() as uow:
            left = 0
            for status in UNPUBLISHED:  # equalities: the status index serves them
                count = select(func.count()).select_from(table).where(table.c.status == status)
                left += int((await uow.session.execute(count)).scalar_one())
        if not left:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the outbox relay left {left} events unpublished")
        await asyncio.sleep(0.05)


def _tuples(data: list[dict[str, Any]], *, sqlite: bool) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC)
    stamp: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
    rows = []
    for item in data:
        doc_id = uuid.uuid4()
        key: Any = doc_id.hex if sqlite else doc_id
        rows.append(
            (key, str(doc_id), OWNER, stamp, stamp, OWNER, 0, item["title"], item["status"],
             item["qty"], item["amount"], item["notes"])
        )  # fmt: skip
    return rows


async def baseline_run(database: BenchDatabase, data: list[dict[str, Any]]) -> float:
    names = ", ".join(COLUMNS)
    if database.kind == "sqlite":
        async with aiosqlite.connect(database.driver_dsn) as conn:
            started = time.perf_counter()
            marks = ", ".join("?" * len(COLUMNS))
            await conn.executemany(
                f"INSERT INTO {TABLE} ({names}) VALUES ({marks})", _tuples(data, sqlite=True)
            )
            await conn.commit()
            return len(data) / (time.perf_counter() - started)
    conn = await asyncpg.connect(database.driver_dsn)
    try:
        started = time.perf_counter()
        marks = ", ".join(f"${n}" for n in range(1, len(COLUMNS) + 1))
        async with conn.transaction():
            await conn.executemany(
                f"INSERT INTO {TABLE} ({names}) VALUES ({marks})", _tuples(data, sqlite=False)
            )
        return len(data) / (time.perf_counter() - started)
    finally:
        await conn.close()


async def main(database: BenchDatabase, rows: int, runs: int) -> dict[str, list[float]]:
    settings = load_settings(config_file=None)
    result: dict[str, list[float]] = {"framework": [], "baseline": []}
    async with Bootstrap(settings) as context:
        freeze_startup_heap()  # as the framework's own processes do once started
        runtime: DatabaseRuntime = context.state["database"]
        doctype = context.state["registry"].get_doctype(DOCTYPE)
        # One untimed round each: imports, statement caches and connections are warm.
        await framework_run(runtime, doctype, values(min(rows, 200), "warm-fw"))
        await settled(runtime)
        await baseline_run(database, values(min(rows, 200), "warm-bl"))
        for run in range(runs):
            result["framework"].append(
                await framework_run(runtime, doctype, values(rows, f"fw{run}"))
            )
            await settled(runtime)
            result["baseline"].append(await baseline_run(database, values(rows, f"bl{run}")))
    return result


def _database(kind: str, dsn: str) -> BenchDatabase:
    if kind == "sqlite":
        return BenchDatabase(kind=kind, url="", sqlite_path=Path(dsn))
    return BenchDatabase(kind=kind, url=dsn.replace("postgresql://", "postgresql+asyncpg://", 1))


def measure_bulk_insert(database: BenchDatabase, env: dict[str, str], options: Options) -> Case:
    """Both sides in one subprocess on the server core, like the servers."""
    command = [
        "taskset",
        "-c",
        SERVER_CORE,
        sys.executable,
        "-m",
        MODULE,
        database.kind,
        database.driver_dsn,
        str(options.sizes.bulk_rows),
        str(options.runs),
    ]
    done = subprocess.run(
        command, env=env, cwd=REPO_DIR, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bulk insert failed:\n{done.stderr[-4000:]}")
    rates: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    case = Case(
        scenario="bulk_insert",
        case="bulk_insert",
        db=database.kind,
        unit="rows/s",
        framework=Side(
            median(rates["framework"]), runs=[{"rows_per_s": r} for r in rates["framework"]]
        ),
        baseline=Side(
            median(rates["baseline"]), runs=[{"rows_per_s": r} for r in rates["baseline"]]
        ),
        title=f"bulk insert {options.sizes.bulk_rows:,} rows in-process",
    )
    print(
        f"[{database.kind}] bulk_insert   framework {case.framework.value:9.0f} rows/s | "
        f"baseline {case.baseline.value:9.0f} rows/s | ratio {case.ratio:.2f}",
        file=sys.stderr,
        flush=True,
    )
    return case


if __name__ == "__main__":
    # KIND DSN ROWS RUNS; the framework reads its own settings from the environment.
    kind, dsn, rows, runs = sys.argv[1:5]
    print(json.dumps(asyncio.run(main(_database(kind, dsn), int(rows), int(runs)))))
