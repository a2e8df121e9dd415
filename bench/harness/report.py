"""The report: ``<date>.json`` with every number, ``<date>.md`` with the tables and verdicts.

Each case is compared with the most recent earlier results JSON in the same directory (of the
same kind: quick runs only with quick runs); a ratio that fell by more than 10% is marked
REGRESSION.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .options import Options
from .results import Case

REGRESSION_DROP = 0.10
BLANK = "-"
SCHEMA = 1


@dataclass(frozen=True)
class Target:
    """One acceptance target: a number read from the results and a bound it must meet."""

    label: str
    db: str | None
    """The database it applies to; None: each database measured."""
    read: Callable[[dict[tuple[str, str], Case], str], float | None]
    bound: float
    at_most: bool

    def verdict(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        ok = value <= self.bound if self.at_most else value >= self.bound
        return "PASS" if ok else "FAIL"


def _ratio(case: str) -> Callable[[dict[tuple[str, str], Case], str], float | None]:
    return lambda cases, db: cases[(case, db)].ratio if (case, db) in cases else None


def _fw(case: str, attr: str) -> Callable[[dict[tuple[str, str], Case], str], float | None]:
    def read(cases: dict[tuple[str, str], Case], db: str) -> float | None:
        found = cases.get((case, db))
        return None if found is None else getattr(found.framework, attr)

    return read


def rls_cost_pct(cases: dict[tuple[str, str], Case], db: str) -> float | None:
    """How much slower the framework lists with row-level security than without, in %."""
    on, off = cases.get(("list", db)), cases.get(("list_open", db))
    if on is None or off is None or off.framework.value <= 0:
        return None
    return (1 - on.framework.value / off.framework.value) * 100


TARGETS = (
    Target("list ratio >= 0.30", "sqlite", _ratio("list"), 0.30, at_most=False),
    Target("get ratio >= 0.30", "sqlite", _ratio("get"), 0.30, at_most=False),
    Target("create ratio >= 0.30", "sqlite", _ratio("create"), 0.30, at_most=False),
    Target("update ratio >= 0.30", "sqlite", _ratio("update"), 0.30, at_most=False),
    # The issue sets the write ratios for SQLite too; PostgreSQL is held to them as our own bar.
    Target(
        "create ratio >= 0.30 (our bar, not the issue's)",
        "postgresql",
        _ratio("create"),
        0.30,
        at_most=False,
    ),
    Target(
        "update ratio >= 0.30 (our bar, not the issue's)",
        "postgresql",
        _ratio("update"),
        0.30,
        at_most=False,
    ),
    Target("list p99 <= 20 ms (16 connections)", "sqlite", _fw("list", "p99_ms"), 20, at_most=True),
    Target("get p99 <= 15 ms (16 connections)", "sqlite", _fw("get", "p99_ms"), 15, at_most=True),
    # The issue sets the latency bounds for SQLite; PostgreSQL is held to them as well, marked
    # as our own bar (its server shares the two cores, unpinned, with the app and wrk).
    Target(
        "list p99 <= 20 ms (16 connections; our bar, not the issue's)",
        "postgresql",
        _fw("list", "p99_ms"),
        20,
        at_most=True,
    ),
    Target(
        "get p99 <= 15 ms (16 connections; our bar, not the issue's)",
        "postgresql",
        _fw("get", "p99_ms"),
        15,
        at_most=True,
    ),
    Target("RLS cost <= 10 %", None, rls_cost_pct, 10, at_most=True),
    Target(
        "bulk insert >= 20,000 rows/s (repository)",
        "postgresql",
        _fw("bulk_insert", "value"),
        20_000,
        at_most=False,
    ),
    Target("1M-row count p99 < 100 ms", None, _fw("events_count", "p99_ms"), 100, at_most=True),
    Target("1M-row list p99 < 100 ms", None, _fw("events_list", "p99_ms"), 100, at_most=True),
)


def _by_key(cases: Iterable[Case]) -> dict[tuple[str, str], Case]:
    return {(c.case, c.db): c for c in cases}


def acceptance(cases: list[Case], databases: tuple[str, ...]) -> list[dict[str, Any]]:
    keyed = _by_key(cases)
    rows = []
    for target in TARGETS:
        for db in [target.db] if target.db else databases:
            if db not in databases:
                continue
            value = target.read(keyed, db)
            rows.append(
                {
                    "target": target.label,
                    "db": db,
                    "value": None if value is None else round(value, 3),
                    "verdict": target.verdict(value),
                }
            )
    return rows


def build(cases: list[Case], machine: dict[str, str], options: Options) -> dict[str, Any]:
    keyed = _by_key(cases)
    return {
        "schema": SCHEMA,
        "created_at": datetime.now(UTC).isoformat(),
        "quick": options.quick,
        "machine": machine,
        "options": {
            "databases": list(options.databases),
            "scenarios": list(options.scenarios),
            "duration_s": options.duration,
            "warmup_s": options.warmup,
            "runs": options.runs,
            "connections": options.connections,
            "sizes": asdict(options.sizes),
        },
        "results": [c.to_json() for c in cases],
        "rls_cost_pct": {
            db: None if (v := rls_cost_pct(keyed, db)) is None else round(v, 2)
            for db in options.databases
        },
        "acceptance": acceptance(cases, options.databases),
    }


def earlier_results(directory: Path, report: dict[str, Any]) -> list[tuple[Path, dict[str, Any]]]:
    """Earlier results of the same kind (full or quick) in ``directory``, newest first."""
    found: list[tuple[str, Path, dict[str, Any]]] = []
    for path in directory.glob("*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("quick") != report["quick"]:
            continue
        created = str(data.get("created_at", ""))
        if created and created < report["created_at"]:
            found.append((created, path, data))
    found.sort(key=lambda item: item[0], reverse=True)
    return [(path, data) for _, path, data in found]


def compare(report: dict[str, Any], earlier: list[tuple[Path, dict[str, Any]]]) -> list[str]:
    """Add to each result the ratio of the newest earlier results that have its case (a rerun
    of one scenario must not hide the others' history), the change and a regression flag;
    the names of the files compared with."""
    ratios = [
        (path, {(r["case"], r["db"]): r.get("ratio") for r in data.get("results", [])})
        for path, data in earlier
    ]
    used: list[str] = []
    for result in report["results"]:
        key = (result["case"], result["db"])
        found = next(((path, by[key]) for path, by in ratios if by.get(key)), None)
        if found is None:
            continue
        path, old = found
        change = (result["ratio"] - old) / old
        result["previous_ratio"] = old
        result["previous_file"] = path.name
        result["ratio_change_pct"] = round(change * 100, 1)
        result["regression"] = change < -REGRESSION_DROP
        if path.name not in used:
            used.append(path.name)
    return used


def _num(value: float | None, digits: int = 1) -> str:
    return BLANK if value is None else f"{value:,.{digits}f}"


def _speed(result: dict[str, Any], side: str) -> str:
    value = result[side]["value"]
    return f"{value:.2f} s" if result["unit"] == "s" else f"{value:,.0f} {result['unit']}"


def _errors(side: dict[str, Any]) -> int:
    return int(side["non_2xx"] or 0) + int(side.get("socket_errors") or 0)


def _row(result: dict[str, Any]) -> str:
    fw, bl = result["framework"], result["baseline"]
    rss = BLANK
    if fw["peak_rss_mb"] is not None:
        rss = f"{fw['peak_rss_mb']:.0f} / {bl['peak_rss_mb']:.0f}"
    errors = BLANK if fw["non_2xx"] is None else f"{_errors(fw)} / {_errors(bl)}"
    change = BLANK
    if "ratio_change_pct" in result:
        change = f"{result['ratio_change_pct']:+.1f}%"
        if result["regression"]:
            change += " **REGRESSION**"
    cells = [
        result["case"],
        result["db"],
        _speed(result, "framework"),
        _num(fw["p50_ms"], 2),
        _num(fw["p99_ms"], 2),
        _speed(result, "baseline"),
        _num(bl["p50_ms"], 2),
        _num(bl["p99_ms"], 2),
        f"{result['ratio']:.2f}",
        rss,
        errors,
        _num(result.get("previous_ratio"), 2),
        change,
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| scenario | db | framework | p50 ms | p99 ms | baseline | p50 ms | p99 ms | ratio "
    "| peak RSS MB fw / bl | non-2xx + socket errors fw / bl | previous ratio | change |"
)


def markdown(report: dict[str, Any], compared: list[str]) -> str:
    machine, opts = report["machine"], report["options"]
    lines = [
        f"# Benchmark results {report['created_at'][:10]}",
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores; {machine['os']}",
        f"- Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql']}, {machine['wrk']}",
        f"- Servers: uvicorn, uvloop + httptools, 1 worker, pinned to core 0; wrk -t1 "
        f"-c{opts['connections']} pinned to core 1; {opts['runs']} runs of "
        f"{opts['duration_s']:g} s after a {opts['warmup_s']:g} s warm-up, medians"
        + (" (**quick run: tiny data, not comparable**)" if report["quick"] else ""),
        "- Compared with: "
        + (
            ", ".join(compared) + " (each case with the newest earlier results that have it)"
            if compared
            else "no earlier results"
        ),
        "",
        "Ratio = framework ÷ baseline speed (req/s, rows/s; for cold start baseline time ÷ "
        "framework time): 1.0 is as fast as the hand-written app.",
        "",
        HEADER,
        "|" + "---|" * (HEADER.count("|") - 1),
    ]
    lines += [_row(r) for r in report["results"]]
    lines += ["", "## Row-level security cost", ""]
    for db, cost in report["rls_cost_pct"].items():
        text = "not measured" if cost is None else f"{cost:.1f}%"
        lines.append(f"- {db}: framework list with RLS vs without: {text}")
    lines += ["", "## Acceptance", "", "| target | db | measured | verdict |", "|---|---|---|---|"]
    for row in report["acceptance"]:
        lines.append(
            f"| {row['target']} | {row['db']} | {_num(row['value'], 2)} | {row['verdict']} |"
        )
    lines += ["", "## Cases", ""]
    titles = {r["case"]: r["title"] for r in report["results"]}
    lines += [f"- **{case}**: {title}" for case, title in titles.items()]
    notes = [f"- {r['case']} ({r['db']}): {n}" for r in report["results"] for n in r["notes"]]
    if notes:
        lines += ["", "## Notes", "", *notes]
    return "\n".join(lines) + "\n"


def write(report: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    compared = compare(report, earlier_results(directory, report))
    day = stem = report["created_at"][:10]
    # A second session on the same day keeps the first one's files: <date>-2, <date>-3, ...
    number = 1
    while (directory / f"{stem}.json").exists() or (directory / f"{stem}.md").exists():
        number += 1
        stem = f"{day}-{number}"
    json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    md_path.write_text(markdown(report, compared))
    return md_path, json_path
