"""Where the helpdesk demo lives, and the handle its in-process tests get (``Site``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpdesk.seed import SeedReport

from framework_m import Actor, UserContext
from framework_m_core.services.documents import DocumentService

REPO = Path(__file__).resolve().parents[2]
HELPDESK_DIR = REPO / "docs" / "examples" / "helpdesk"


@dataclass
class Site:
    documents: DocumentService
    identity: Any
    """The identity service (``LocalIdentityAdapter``): accounts and passwords."""
    report: SeedReport
    """What seeding the empty database created."""

    async def actor(self, email: str) -> Actor:
        """The demo user with this e-mail, as the services see them."""
        user = await self.identity.find_by_email(email)
        assert user is not None, email
        return Actor(
            user=UserContext(
                id=str(user.id), email=user.email, roles=list(user.roles), teams=list(user.teams)
            )
        )
