"""Run the benchmarks: ``bash bench/run.sh [--db sqlite|postgresql|all] [--quick] ...``.

See bench/README.md. The harness lives in ``bench/harness``; this file only puts the repo
root on the path so that ``bench.harness`` and ``bench.baseline_app`` import as packages.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
