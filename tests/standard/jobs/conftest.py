"""The jobs tests' app (``fm_jobs_testapp``) and the web tests' live server helpers."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
APP_DIR = HERE / "app"
WEB_DIR = HERE.parent / "web"
for path in (APP_DIR, WEB_DIR):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
