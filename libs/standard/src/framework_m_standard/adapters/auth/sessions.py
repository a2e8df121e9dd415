"""Browser sessions stored as ``UserSession`` documents; the cookie holds the only raw token.

The database keeps the SHA-256 of the token, so a leaked table cannot be replayed. A session
lives ``auth.session_ttl`` seconds from its creation; an expired one is deleted when seen.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from uuid import UUID

from framework_m_core.doctypes import UserSession
from framework_m_core.exceptions import EntityNotFoundError, VersionConflictError
from framework_m_core.interfaces.repository import (
    FilterSpec,
    OrderSpec,
    RepositoryFactoryProtocol,
)
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol
from framework_m_standard.adapters.auth._storage import (
    TOUCH_INTERVAL_SECONDS,
    clip,
    sha256_hex,
    utcnow,
)

logger = logging.getLogger(__name__)

_BATCH = 500
_NEWEST_FIRST = (
    OrderSpec(field="creation", direction="desc"),
    OrderSpec(field="id", direction="desc"),  # ids are UUID v7: ordered by time too
)


class DatabaseSessionStore:
    """Creates, finds and ends cookie sessions."""

    def __init__(
        self,
        *,
        repositories: RepositoryFactoryProtocol,
        unit_of_work: UnitOfWorkFactoryProtocol,
        ttl: int,
        touch_interval: int = TOUCH_INTERVAL_SECONDS,
    ) -> None:
        self._sessions = repositories.get(UserSession)
        self._unit_of_work = unit_of_work
        self._ttl = timedelta(seconds=ttl)
        self._touch_interval = timedelta(seconds=touch_interval)

    async def create(
        self, user_id: str, *, ip_address: str | None = None, user_agent: str | None = None
    ) -> tuple[str, UserSession]:
        """A new session: the raw token for the cookie, and the stored session."""
        raw_token = secrets.token_urlsafe(32)
        now = utcnow()
        session = UserSession(
            token_hash=sha256_hex(raw_token),
            user_id=user_id,
            expires_at=now + self._ttl,
            csrf_token=secrets.token_urlsafe(32),
            ip_address=clip(ip_address, 64),
            user_agent=clip(user_agent, 512),
            last_seen_at=now,
        )
        async with self._unit_of_work() as uow:
            await self._sessions.save(uow.session, session, user=user_id)
            await uow.commit()
        return raw_token, session

    async def get(self, raw_token: str) -> UserSession | None:
        """The live session behind a cookie value, or None (an expired one is deleted)."""
        now = utcnow()
        async with self._unit_of_work() as uow:
            page = await self._sessions.list(
                uow.session,
                filters=[FilterSpec(field="token_hash", value=sha256_hex(raw_token))],
                limit=1,
                with_total=False,
            )
            if not page.items:
                return None
            session = page.items[0]
            if session.expires_at <= now:
                await self._sessions.delete(uow.session, session.id)
                await uow.commit()
                return None
            if session.last_seen_at is None or now - session.last_seen_at >= self._touch_interval:
                session.last_seen_at = now
                try:
                    await self._sessions.save(uow.session, session)
                    await uow.commit()
                except (VersionConflictError, EntityNotFoundError):
                    # Touched by a concurrent request, or ended meanwhile: either is fine here.
                    logger.debug("last_seen_at of session %s not recorded", session.id)
        return session

    async def delete(self, session_id: UUID, *, user_id: str | None = None) -> bool:
        """End one session (only if it is ``user_id``'s, when given); False if there was none."""
        async with self._unit_of_work() as uow:
            session = await self._sessions.get(uow.session, session_id)
            if session is None or (user_id is not None and session.user_id != user_id):
                return False
            await self._sessions.delete(uow.session, session_id)
            await uow.commit()
        return True

    async def delete_all_for_user(
        self, user_id: str, *, except_session_id: UUID | None = None
    ) -> int:
        """End every session of a user (but ``except_session_id``); how many were ended."""
        return await self._delete_matching(_of_user(user_id, except_session_id))

    async def list_for_user(self, user_id: str) -> list[UserSession]:
        """The user's live sessions, the most recently created first."""
        now = utcnow()
        sessions: list[UserSession] = []
        async with self._unit_of_work() as uow:
            offset = 0
            while True:
                page = await self._sessions.list(
                    uow.session,
                    filters=[
                        *_of_user(user_id),
                        FilterSpec(field="expires_at", operator=">", value=now),
                    ],
                    order_by=_NEWEST_FIRST,
                    limit=_BATCH,
                    offset=offset,
                    with_total=False,
                )
                sessions.extend(page.items)
                if not page.has_more:
                    break
                offset += _BATCH
        return sessions

    async def purge_expired(self) -> int:
        """Delete every expired session (a periodic job can call this); how many went."""
        return await self._delete_matching(
            [FilterSpec(field="expires_at", operator="<=", value=utcnow())]
        )

    async def _delete_matching(self, filters: list[FilterSpec]) -> int:
        """Delete the sessions matching ``filters`` in batches, in one transaction."""
        deleted = 0
        async with self._unit_of_work() as uow:
            while True:
                page = await self._sessions.list(
                    uow.session, filters=filters, limit=_BATCH, with_total=False
                )
                for session in page.items:
                    await self._sessions.delete(uow.session, session.id)
                deleted += len(page.items)
                if not page.has_more:
                    break
            await uow.commit()
        return deleted


def _of_user(user_id: str, except_session_id: UUID | None = None) -> list[FilterSpec]:
    filters = [FilterSpec(field="user_id", value=user_id)]
    if except_session_id is not None:
        filters.append(FilterSpec(field="id", operator="!=", value=except_session_id))
    return filters
