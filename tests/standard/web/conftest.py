"""A live server per test module and database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from live_server import LiveServer, start_server

from service_support import DATABASES, create_pg_database, drop_pg_database, pg_url


@pytest.fixture(scope="module", params=DATABASES)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("site")
    if request.param == "sqlite":
        url, pg_name = f"sqlite+aiosqlite:///{root / 'site.db'}", None
    else:
        pg_name = asyncio.run(create_pg_database())
        url = pg_url(pg_name)
    server = start_server(url, root)
    try:
        yield server
    finally:
        server.stop()
        if "Traceback" in server.log():
            print(server.log())
        if pg_name is not None:
            asyncio.run(drop_pg_database(pg_name))


@pytest.fixture(autouse=True)
def _no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every HTTP test also asserts the server logged no unhandled error meanwhile."""
    if "live_server" not in request.fixturenames:
        yield
        return
    server: LiveServer = request.getfixturevalue("live_server")
    before = len(server.log())
    yield
    new_output = server.log()[before:]
    assert "Unhandled error" not in new_output, new_output
    assert "Traceback" not in new_output, new_output
