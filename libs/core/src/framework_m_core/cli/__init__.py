"""The ``m`` command line: the root app and helpers for plugin authors."""

from __future__ import annotations

from framework_m_core.cli.app import build_app, main
from framework_m_core.cli.runtime import run_async

__all__ = ["build_app", "main", "run_async"]
