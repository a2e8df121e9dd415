"""Fixtures of the studio tests: a database for the ``m`` subprocesses to use."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from service_support import DATABASES, create_pg_database, drop_pg_database, pg_url


@pytest.fixture(params=DATABASES)
def database_env(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The environment that points ``m`` at the database: nothing for SQLite (the generated
    settings' own file), ``DATABASE_URL`` of a fresh PostgreSQL database, dropped afterwards."""
    if request.param == "sqlite":
        yield {}
        return
    name = asyncio.run(create_pg_database())
    try:
        yield {"DATABASE_URL": pg_url(name)}
    finally:
        asyncio.run(drop_pg_database(name))
