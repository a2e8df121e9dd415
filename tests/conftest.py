"""Shared fixtures: real databases, made fresh for each test and removed afterwards.

PostgreSQL runs at 127.0.0.1:5432 (trust auth). Locally an unreachable server skips its tests
with the reason printed; with ``CI=true`` it fails them, never skips.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bytecode_cache import fill_cache, use_cache
from service_support import (  # noqa: F401  (re-exported for other conftests)
    DATABASES,
    IN_CI,
    create_pg_database,
    drop_pg_database,
    finish_pg_databases,
    pg_url,
    service_unavailable,
)

use_cache()


WHOLE_PACKAGES = ("tests/standard/realtime/",)
"""Packages whose servers are package-scoped fixtures: one pytest-xdist worker runs each."""


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # once per run: not again in each xdist worker
        fill_cache()


def pytest_sessionfinish(session: pytest.Session) -> None:
    for error in finish_pg_databases():
        print(f"\nA test database was not dropped: {error}", file=sys.stderr)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadscope`` with a module as the unit of work (its module-scoped servers boot
    once), and a whole package for the packages in ``WHOLE_PACKAGES``."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return next((p for p in WHOLE_PACKAGES if module.startswith(p)), module)

    return ModuleScheduling(config, log)


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    name = await create_pg_database()
    try:
        yield pg_url(name)
    finally:
        await drop_pg_database(name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """With CI=true a skipped test is a failed test: nothing may pass by not running."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI: {report.longrepr}"
