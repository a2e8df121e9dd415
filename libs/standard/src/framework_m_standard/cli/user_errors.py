"""How ``m`` commands report what a user can fix: one line on stderr and exit code 1."""

from __future__ import annotations

import sys
from typing import NoReturn

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.settings import Settings, load_settings


def fail(message: str) -> NoReturn:
    print(f"m: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (Pydantic spreads one error over several)."""
    lines = [
        line.strip()
        for line in str(exc).splitlines()
        if line.strip() and not line.strip().startswith("For further information")
    ]
    return " ".join(lines) if lines else type(exc).__name__


def settings_or_fail() -> Settings:
    """The effective settings, or exit with the reason they cannot be read."""
    try:
        return load_settings()
    except ConfigurationError as exc:
        fail(one_line(exc))


__all__ = ["fail", "one_line", "settings_or_fail"]
