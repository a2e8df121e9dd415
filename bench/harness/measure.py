"""Measure one HTTP case: a warm-up per side, then the runs alternating framework / baseline.

Alternating the sides run by run spreads any drift of the machine (another tenant, thermal
limits) over both, which is what keeps their ratio steady on a noisy machine.
"""

from __future__ import annotations

import asyncio
import math
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from .databases import BenchDatabase
from .options import Options
from .results import Case, Side, median
from .scenarios import SIDES, HttpCase, load
from .seed import seed_delete_pool
from .servers import Server
from .site import Site
from .wrk import WrkResult, run_wrk

# A first guess at a side's delete rate, to size the warm-up's pool of rows to delete.
FIRST_GUESS_RPS = 10_000.0
# A run can be much faster than the (short, colder) warm-up that sized its pool: a fresh-clone
# CI run once saw the baseline delete 5,292 rows in a 1 s run sized at 1.5x its warm-up rate.
POOL_MARGIN = 3.0


@dataclass
class Target:
    server: Server
    headers: Mapping[str, str]


@dataclass
class HttpSession:
    """Everything the HTTP cases of one database share."""

    database: BenchDatabase
    site: Site
    work_dir: Path
    alice_ids: Path
    targets: dict[str, Target]
    options: Options


def _pool_file(
    session: HttpSession, side: str, label: str, expected_rps: float, seconds: int
) -> Path:
    """Fresh rows for one delete run: enough for ``expected_rps`` with a margin."""
    count = math.ceil(expected_rps * seconds * POOL_MARGIN) + 50
    ids = asyncio.run(seed_delete_pool(session.database, session.site, count))
    path = session.work_dir / f"delete-{side}-{label}.txt"
    path.write_text("\n".join(ids) + "\n")
    return path


def _run(
    session: HttpSession, case: HttpCase, side: str, seconds: int, label: str, guess: float
) -> WrkResult:
    target = session.targets[side]
    ids_file: Path | None = session.alice_ids if case.ids == "alice" else None
    if case.ids == "pool":
        ids_file = _pool_file(session, side, label, guess, seconds)
    request = load(case, side, target.server.base_url, target.headers, ids_file)
    return run_wrk(request, duration=seconds, connections=session.options.connections)


def measure(session: HttpSession, case: HttpCase) -> Case:
    options = session.options
    guess = dict.fromkeys(SIDES, FIRST_GUESS_RPS)
    if options.warmup > 0:
        for side in SIDES:
            warm = _run(session, case, side, max(1, round(options.warmup)), "warmup", guess[side])
            guess[side] = max(warm.requests_per_s, 100.0)
    runs: dict[str, list[WrkResult]] = {side: [] for side in SIDES}
    for number in range(options.runs):
        for side in SIDES:
            result = _run(
                session, case, side, max(1, round(options.duration)), str(number), guess[side]
            )
            runs[side].append(result)
            guess[side] = max(guess[side], result.requests_per_s)
    sides = {side: _side(runs[side], session.targets[side].server) for side in SIDES}
    measured = Case(
        scenario=case.scenario,
        case=case.case,
        db=session.database.kind,
        unit="req/s",
        framework=sides["framework"],
        baseline=sides["baseline"],
        title=case.title,
    )
    _progress(measured)
    return measured


def _side(results: list[WrkResult], server: Server) -> Side:
    return Side(
        value=median([r.requests_per_s for r in results]),
        p50_ms=median([r.p50_ms for r in results]),
        p99_ms=median([r.p99_ms for r in results]),
        # VmHWM only grows: after the runs it is the server's peak so far in the session.
        peak_rss_mb=round(server.peak_rss_mb(), 1),
        requests=sum(r.requests for r in results),
        non_2xx=sum(r.non_2xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
        runs=[asdict(r) for r in results],
    )


def _progress(case: Case) -> None:
    fw, bl = case.framework, case.baseline
    print(
        f"[{case.db}] {case.case:<13} framework {fw.value:9.1f} {case.unit} "
        f"p99 {fw.p99_ms or 0:7.2f} ms | baseline {bl.value:9.1f} {case.unit} "
        f"p99 {bl.p99_ms or 0:7.2f} ms | ratio {case.ratio:.2f}",
        file=sys.stderr,
        flush=True,
    )
