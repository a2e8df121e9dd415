"""The bench report's comparison: each case against the newest earlier results that have it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.harness.report import compare, earlier_results, markdown


def _results(created: str, ratios: dict[str, float], *, quick: bool = False) -> dict[str, Any]:
    return {
        "created_at": created,
        "quick": quick,
        "results": [{"case": case, "db": "sqlite", "ratio": r} for case, r in ratios.items()],
    }


def _save(directory: Path, name: str, data: dict[str, Any]) -> None:
    (directory / name).write_text(json.dumps(data))


def test_a_partial_rerun_does_not_hide_the_other_cases_history(tmp_path: Path) -> None:
    _save(tmp_path, "day.json", _results("2026-01-01T10:00", {"list": 0.60, "bulk": 0.50}))
    _save(tmp_path, "day-2.json", _results("2026-01-01T12:00", {"bulk": 0.40}))
    _save(tmp_path, "quick.json", _results("2026-01-01T13:00", {"list": 0.10}, quick=True))
    _save(tmp_path, "later.json", _results("2026-01-02T00:00", {"list": 0.99}))
    (tmp_path / "broken.json").write_text("{")
    report = _results("2026-01-01T14:00", {"list": 0.48, "bulk": 0.44, "new": 1.0})
    earlier = earlier_results(tmp_path, report)
    assert [path.name for path, _ in earlier] == ["day-2.json", "day.json"]
    assert compare(report, earlier) == ["day.json", "day-2.json"]
    listed, bulk, new = report["results"]
    assert (listed["previous_ratio"], listed["previous_file"]) == (0.60, "day.json")
    assert listed["ratio_change_pct"] == -20.0
    assert listed["regression"] is True
    assert (bulk["previous_ratio"], bulk["previous_file"]) == (0.40, "day-2.json")
    assert bulk["regression"] is False
    assert "previous_ratio" not in new


def test_the_markdown_names_the_files_compared_with(tmp_path: Path) -> None:
    report = _results("2026-01-01T14:00", {})
    report.update(
        machine={"cpu": "c", "cores": 2, "os": "o", "python": "3", "sqlite": "3",
                 "postgresql": "15", "wrk": "wrk"},
        options={"connections": 16, "runs": 3, "duration_s": 5, "warmup_s": 2},
        rls_cost_pct={},
        acceptance=[],
    )  # fmt: skip
    assert "Compared with: a.json, b.json (each case" in markdown(report, ["a.json", "b.json"])
    assert "Compared with: no earlier results" in markdown(report, [])
