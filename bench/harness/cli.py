"""``bench/run.py``'s command line: parse the options, run each database, write the report."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import machine, report
from .options import DATABASES, SCENARIOS, DataSizes, Options
from .results import Case
from .runner import run_database
from .site import BENCH_DIR

LOCK_FILE = Path(tempfile.gettempdir()) / "framework-m-bench.lock"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Framework M vs a hand-written Litestar app, on SQLite and PostgreSQL.",
    )
    parser.add_argument("--db", choices=[*DATABASES, "all"], default="all")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, from: {', '.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds per run (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (default 3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny data, 1 s runs, 1 run, a 20,000-row events table (the smoke test)",
    )
    parser.add_argument(
        "--output", type=Path, default=BENCH_DIR / "results", help="where the report goes"
    )
    return parser


def options_from(argv: Sequence[str] | None = None) -> Options:
    args = _parser().parse_args(argv)
    scenarios = tuple(s.strip() for s in args.scenarios.split(",") if s.strip())
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        _parser().error(f"unknown scenarios: {', '.join(unknown)}")
    if args.duration < 1 or args.runs < 1:
        _parser().error("--duration and --runs must be at least 1")
    quick = bool(args.quick)
    return Options(
        databases=DATABASES if args.db == "all" else (args.db,),
        # Always in the harness's order: the reads see the seeded data before any write.
        scenarios=tuple(s for s in SCENARIOS if s in scenarios),
        duration=1 if quick else args.duration,
        # Even a quick run warms up: its 1 s window must not be spent on first-request costs.
        warmup=1 if quick else 2,
        runs=1 if quick else args.runs,
        sizes=DataSizes.quick() if quick else DataSizes(),
        quick=quick,
        output=args.output,
        pg_url=os.environ.get("DATABASE_URL"),
    )


@contextlib.contextmanager
def _one_session_at_a_time() -> Iterator[None]:
    """Two sessions would share the pinned cores and measure each other: the second waits."""
    with LOCK_FILE.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"bench: waiting for another benchmark session ({LOCK_FILE})", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def main(argv: Sequence[str] | None = None) -> int:
    options = options_from(argv)
    if shutil.which("wrk") is None or shutil.which("taskset") is None:
        print("bench: wrk and taskset are needed (bash bench/run.sh installs wrk)", file=sys.stderr)
        return 2
    with _one_session_at_a_time():
        cases: list[Case] = []
        for kind in options.databases:
            cases += run_database(kind, options)
    described = machine.describe(options.pg_url, with_pg="postgresql" in options.databases)
    built = report.build(cases, described, options)
    md_path, json_path = report.write(built, options.output)
    print(md_path.read_text())
    print(f"Wrote {md_path} and {json_path}", file=sys.stderr)
    return 0
