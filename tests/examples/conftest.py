"""The helpdesk demo (docs/examples/helpdesk), seeded on a fresh SQLite or PostgreSQL database.

The app is not installed: like ``scripts/demo.sh``, the tests put its directory on the path
(here, before any test module of this directory is imported).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

_HELPDESK_DIR = str(Path(__file__).resolve().parents[2] / "docs" / "examples" / "helpdesk")
if _HELPDESK_DIR not in sys.path:
    sys.path.insert(0, _HELPDESK_DIR)

from helpdesk.seed import seed  # noqa: E402
from helpdesk_site import Site  # noqa: E402

from framework_m_core.bootstrap import Bootstrap  # noqa: E402
from framework_m_core.settings import Settings  # noqa: E402


@pytest.fixture
async def site(database_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    """The helpdesk running in-process on an empty database, seeded once."""
    settings = Settings(
        database_url=database_url,
        apps=["helpdesk"],
        environment="test",
        project_root=str(tmp_path),
    )
    async with Bootstrap(settings) as context:
        documents = context.state["documents"]
        identity = context.state["auth"].identity
        yield Site(documents, identity, await seed(documents, identity))
