"""What one benchmark session runs: databases, scenarios, durations and data sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DATABASES = ("sqlite", "postgresql")

# Run order: reads before writes, so that the read scenarios see exactly the seeded data.
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


@dataclass(frozen=True)
class DataSizes:
    """Rows seeded per table; the full sizes are the ones the acceptance targets speak of."""

    items: int = 10_000
    alice_share: float = 0.8
    orders: int = 2_000
    lines_per_order: int = 3
    events: int = 1_000_000
    bulk_rows: int = 10_000
    cold_start_doctypes: int = 200

    @classmethod
    def quick(cls) -> DataSizes:
        return cls(items=2_000, orders=100, events=20_000, bulk_rows=1_000, cold_start_doctypes=20)


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...] = DATABASES
    scenarios: tuple[str, ...] = SCENARIOS
    duration: float = 5.0
    warmup: float = 2.0
    runs: int = 3
    connections: int = 16
    sizes: DataSizes = field(default_factory=DataSizes)
    quick: bool = False
    output: Path = Path("bench/results")
    pg_url: str | None = None
    """A PostgreSQL server to use (``DATABASE_URL``); a fresh database is made on it."""
