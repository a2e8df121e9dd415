"""The helpdesk demo (docs/examples/helpdesk), seeded on a fresh SQLite or PostgreSQL database.

The app is not installed: like ``scripts/demo.sh``, the tests put its directory on the path
(here, before any test module of this directory is imported). Seeding hashes a password per
demo user and saves every record through the controllers: it runs once per module and
database, and each test gets a copy of that database.
"""

from __future__ import annotations

import asyncio
import copy
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_HELPDESK_DIR = str(Path(__file__).resolve().parents[2] / "docs" / "examples" / "helpdesk")
if _HELPDESK_DIR not in sys.path:
    sys.path.insert(0, _HELPDESK_DIR)

from helpdesk.seed import SeedReport, seed_site  # noqa: E402
from helpdesk_site import Site  # noqa: E402

from framework_m_core.bootstrap import Bootstrap  # noqa: E402
from framework_m_core.settings import Settings  # noqa: E402
from service_support import (  # noqa: E402
    DATABASES,
    copy_pg_database,
    create_pg_database,
    drop_pg_database,
    pg_url,
)


def _settings(database_url: str, root: Path) -> Settings:
    return Settings(
        database_url=database_url, apps=["helpdesk"], environment="test", project_root=str(root)
    )


@dataclass(frozen=True)
class Seeded:
    database: str
    """``sqlite`` or ``postgresql``."""
    source: str
    """The seeded SQLite file, or the name of the seeded PostgreSQL database."""
    report: SeedReport


@pytest.fixture(scope="module", params=DATABASES)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    """The helpdesk seeded once per module and database, for each test to get a copy of."""
    root = tmp_path_factory.mktemp("helpdesk_seeded")
    if request.param == "sqlite":
        source = str(root / "seeded.db")
        url = f"sqlite+aiosqlite:///{source}"
    else:
        source = asyncio.run(create_pg_database())
        url = pg_url(source)
    try:
        yield Seeded(request.param, source, asyncio.run(seed_site(_settings(url, root))))
    finally:
        if request.param == "postgresql":
            asyncio.run(drop_pg_database(source))


@pytest.fixture
async def site(seeded: Seeded, tmp_path: Path) -> AsyncIterator[Site]:
    """The helpdesk running in-process on a database of its own holding the seeded demo data
    (a copy of the module's: the same as seeding an empty database, without the cost)."""
    pg_name = None
    if seeded.database == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(seeded.source, target)
        url = f"sqlite+aiosqlite:///{target}"
    else:
        pg_name = await copy_pg_database(seeded.source)
        url = pg_url(pg_name)
    try:
        async with Bootstrap(_settings(url, tmp_path)) as context:
            documents = context.state["documents"]
            identity = context.state["auth"].identity
            yield Site(documents, identity, copy.deepcopy(seeded.report))
    finally:
        if pg_name is not None:
            await drop_pg_database(pg_name)
