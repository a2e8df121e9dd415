"""Two API processes over one database and NATS, shared by every realtime test (per database).

Short heartbeat and small limits, so the tests of the limits run quickly; the other tests
answer the pings (``cluster.receive``) and stay within the limits.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cluster import Cluster, cluster

from service_support import DATABASES

SERVER_ENV = {
    "FRAMEWORK_M_REALTIME__MAX_MESSAGE_SIZE": "1024",
    "FRAMEWORK_M_REALTIME__MAX_SUBSCRIPTIONS": "3",
    "FRAMEWORK_M_REALTIME__PING_INTERVAL": "0.3",
    # Room for a test busy with another socket (a save, its event) on a loaded 2-core runner.
    "FRAMEWORK_M_REALTIME__IDLE_TIMEOUT": "3",
}


@pytest.fixture(scope="package", params=DATABASES)
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("site")
    with cluster(request.param, root, extra_env=SERVER_ENV) as running:
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
