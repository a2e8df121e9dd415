"""The numbers one session produces, as plain data that goes to JSON unchanged."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Unit = Literal["req/s", "rows/s", "s"]


@dataclass
class Side:
    """One side (framework or baseline) of one case: medians over the runs."""

    value: float
    """req/s, rows/s or seconds (see the case's unit); the median of the runs."""
    p50_ms: float | None = None
    p99_ms: float | None = None
    peak_rss_mb: float | None = None
    requests: int | None = None
    non_2xx: int | None = None
    socket_errors: int | None = None
    """Connect/read/write errors and timeouts wrk saw."""
    runs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Case:
    scenario: str
    """The ``--scenarios`` name that produced it."""
    case: str
    """What was measured (a scenario can measure more than one thing)."""
    db: str
    unit: Unit
    framework: Side
    baseline: Side
    title: str = ""
    notes: list[str] = field(default_factory=list)
    """Anything that happened while measuring it (a server restarted under it)."""

    @property
    def ratio(self) -> float:
        """Framework speed ÷ baseline speed: above 1 the framework is faster."""
        fw, bl = self.framework.value, self.baseline.value
        if fw <= 0 or bl <= 0:
            return 0.0
        # For a duration the faster side is the one that takes less time.
        return bl / fw if self.unit == "s" else fw / bl

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = round(self.ratio, 4)
        return data


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0
