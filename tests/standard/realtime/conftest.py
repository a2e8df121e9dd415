"""Two API processes over one database and NATS, shared by a test module (per database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cluster import Cluster, cluster

from service_support import DATABASES


@pytest.fixture(scope="module", params=DATABASES)
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    extra = getattr(request.module, "SERVER_ENV", {})
    with cluster(request.param, tmp_path_factory.mktemp("site"), extra_env=extra) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test also asserts the servers logged no unhandled error meanwhile."""
    if "servers" not in request.fixturenames:
        yield
        return
    running: Cluster = request.getfixturevalue("servers")
    before = [len(server.log()) for server in running.servers]
    yield
    for server, start in zip(running.servers, before, strict=True):
        new_output = server.log()[start:]
        assert "Traceback" not in new_output, new_output
        assert "Unhandled error" not in new_output, new_output
