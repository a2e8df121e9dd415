"""Webhook test fixtures: a real receiver on loopback and a bootstrapped site per database."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))

from receiver import Receiver, running_receiver

from framework_m_core.bootstrap import Bootstrap
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.settings import Settings, load_settings
from service_support import DATABASES, create_pg_database, drop_pg_database, pg_url

MEMORY_BUS = "framework_m_standard.adapters.events.memory:InMemoryEventBus"


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def receiver(receiver_server: Receiver) -> Receiver:
    receiver_server.reset()
    return receiver_server


def site_settings(database_url: str, root: Path, **overrides: Any) -> Settings:
    env = {
        "DATABASE_URL": database_url,
        "FRAMEWORK_M_ENVIRONMENT": "test",
        "FRAMEWORK_M_APPS": "[]",
        "FRAMEWORK_M_PROJECT_ROOT": str(root),
    }
    values: dict[str, Any] = {"adapters": {"event_bus": MEMORY_BUS}}
    values.update(overrides)
    return load_settings(env=env, config_file=None, overrides=values)


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=DATABASES)
async def data_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BootstrapContext]:
    """One site per module and database: the database, repositories and services only (no
    event bus consumers, no job queue). Tests tell their rows apart by webhook id."""
    root = tmp_path_factory.mktemp("data_site")
    pg_name = None
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{root / 'site.db'}"
    else:
        pg_name = await create_pg_database()
        url = pg_url(pg_name)
    settings = site_settings(
        url,
        root,
        bootstrap_disable=["init_events", "start_outbox_relay", "init_jobs", "init_webhooks"],
    )
    try:
        async with Bootstrap(settings) as context:
            yield context
    finally:
        if pg_name is not None:
            await drop_pg_database(pg_name)
