"""One session: for each database, prepare and seed it, serve both apps, run the scenarios."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import tempfile
from pathlib import Path

from .bulk_insert import measure_bulk_insert
from .cold_start import measure_cold_start
from .databases import BenchDatabase, create_pg_database, drop_pg_database, sqlite_database
from .measure import HttpSession, Target, measure
from .options import Options
from .results import Case
from .scenarios import BASELINE, FRAMEWORK, cases_for
from .seed import seed_all
from .servers import (
    BASELINE_APP,
    FRAMEWORK_APP,
    Server,
    baseline_env,
    count_cap,
    login,
    start_server,
)
from .site import Site, email, framework_env, password, prepare_site

# Times a case is rerun after a server died under it (killed from outside on a shared host).
RESTARTS = 2


def run_database(kind: str, options: Options) -> list[Case]:
    """Every chosen scenario on one database, made fresh for the session and removed after."""
    with tempfile.TemporaryDirectory(prefix=f"fm-bench-{kind}-") as tmp:
        root = Path(tmp)
        if kind == "sqlite":
            database = sqlite_database(root)
        else:
            database = asyncio.run(create_pg_database(options.pg_url))
        try:
            return _run(database, root, options)
        finally:
            asyncio.run(drop_pg_database(database, options.pg_url))


def _log(database: BenchDatabase, message: str) -> None:
    print(f"[{database.kind}] {message}", file=sys.stderr, flush=True)


def _run(database: BenchDatabase, root: Path, options: Options) -> list[Case]:
    env = framework_env(database, root)
    site = asyncio.run(prepare_site(env))
    sizes = options.sizes
    if "count_1m" not in options.scenarios:
        sizes = dataclasses.replace(sizes, events=0)
    _log(database, f"seeding ({sizes.items} items, {sizes.events} events)")
    seeded = asyncio.run(seed_all(database, site, sizes))
    alice_ids = root / "alice-items.txt"
    alice_ids.write_text("\n".join(seeded.alice_items) + "\n")
    owner = site.user_ids["alice"]
    results: list[Case] = []
    cases = cases_for(options.scenarios)
    if cases:
        results += _http(database, root, site, env, alice_ids, options)
    if "bulk_insert" in options.scenarios:
        results.append(measure_bulk_insert(database, env, options))
    if "cold_start" in options.scenarios:
        results.append(measure_cold_start(database, root, baseline_env(database, owner), options))
    return results


def _serve(
    database: BenchDatabase, root: Path, env: dict[str, str], owner: str
) -> dict[str, Target]:
    """Both apps and alice's token for the framework; the baseline counts as far as the
    running framework does (its cap can change while the framework is being worked on)."""
    framework = start_server("framework", FRAMEWORK_APP, env, root)
    try:
        token = login(framework, email("alice"), password("alice"))
        base_env = baseline_env(database, owner, count_cap(framework, token))
        baseline = start_server("baseline", BASELINE_APP, base_env, root)
    except BaseException:
        framework.stop()
        raise
    return {
        FRAMEWORK: Target(framework, {"Authorization": f"Bearer {token}"}),
        BASELINE: Target(baseline, {}),
    }


def _stop(targets: dict[str, Target]) -> None:
    for target in targets.values():
        target.server.stop()


def _dead(targets: dict[str, Target]) -> list[Server]:
    return [t.server for t in targets.values() if t.server.process.poll() is not None]


def _http(
    database: BenchDatabase,
    root: Path,
    site: Site,
    env: dict[str, str],
    alice_ids: Path,
    options: Options,
) -> list[Case]:
    session = HttpSession(
        database=database,
        site=site,
        work_dir=root,
        alice_ids=alice_ids,
        targets=_serve(database, root, env, site.user_ids["alice"]),
        options=options,
    )
    results: list[Case] = []
    try:
        for case in cases_for(options.scenarios):
            notes: list[str] = []
            for attempt in range(RESTARTS + 1):
                try:
                    measured = measure(session, case)
                    measured.notes += notes
                    results.append(measured)
                    break
                except Exception:
                    dead = _dead(session.targets)
                    if not dead or attempt == RESTARTS:
                        _print_logs(session.targets)
                        raise
                    # A server killed from outside (a shared machine): start afresh, run again.
                    codes = ", ".join(f"{s.name} {s.process.returncode}" for s in dead)
                    note = f"servers restarted after one exited ({codes}); case rerun"
                    notes.append(note)
                    _log(database, f"{case.case}: {note}")
                    _stop(session.targets)
                    session.targets = _serve(database, root, env, site.user_ids["alice"])
    finally:
        _stop(session.targets)
    return results


def _print_logs(targets: dict[str, Target]) -> None:
    for target in targets.values():
        server = target.server
        code = server.process.poll()
        state = "running" if code is None else f"exited with {code}"
        print(f"--- {server.name} ({state}):\n{server.log()[-4000:]}", file=sys.stderr)
