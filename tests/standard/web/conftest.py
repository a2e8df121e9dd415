"""A live server per test module and database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_server import LiveServer, serve

from service_support import DATABASES


@pytest.fixture(scope="module", params=DATABASES)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with serve(request.param, tmp_path_factory.mktemp("site")) as server:
        yield server


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
