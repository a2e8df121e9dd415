"""The bench harness (``bench/`` at the repository root) importable by these tests, as
``python -m bench.harness...`` finds it when run from the root."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[2])
if REPO not in sys.path:
    sys.path.insert(0, REPO)
