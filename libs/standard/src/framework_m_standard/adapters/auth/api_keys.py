"""API keys stored as ``ApiKey`` documents: ``<prefix>_<key id hex>_<secret>``, shown once.

The id inside the key finds the document in one primary-key read; only the SHA-256 of the
whole key is stored and it is compared in constant time.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from framework_m_core.doctypes import ApiKey
from framework_m_core.domain.ids import uuid7
from framework_m_core.exceptions import EntityNotFoundError, ValidationError, VersionConflictError
from framework_m_core.interfaces.repository import (
    FilterSpec,
    OrderSpec,
    RepositoryFactoryProtocol,
)
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol
from framework_m_standard.adapters.auth._storage import (
    TOUCH_INTERVAL_SECONDS,
    as_utc,
    sha256_hex,
    utcnow,
)

logger = logging.getLogger(__name__)

_KEY_ID_HEX = 32
_MAX_KEYS_LISTED = 1000
_NEWEST_FIRST = (
    OrderSpec(field="creation", direction="desc"),
    OrderSpec(field="id", direction="desc"),  # ids are UUID v7: ordered by time too
)


class ApiKeyStore:
    """Creates, checks, lists and revokes API keys."""

    def __init__(
        self,
        *,
        repositories: RepositoryFactoryProtocol,
        unit_of_work: UnitOfWorkFactoryProtocol,
        prefix: str,
        touch_interval: int = TOUCH_INTERVAL_SECONDS,
    ) -> None:
        self._keys = repositories.get(ApiKey)
        self._unit_of_work = unit_of_work
        self._prefix = prefix
        self._touch_interval = timedelta(seconds=touch_interval)

    async def create(
        self,
        user_id: str,
        *,
        label: str = "",
        scopes: Sequence[str] = (),
        expires_at: datetime | None = None,
    ) -> tuple[str, ApiKey]:
        """A new key for the user: the raw key (shown once, never stored) and its document."""
        if isinstance(scopes, str):
            raise ValidationError("scopes must be a list of strings, not one string")
        key_id = uuid7()
        raw_key = f"{self._prefix}_{key_id.hex}_{secrets.token_urlsafe(32)}"
        try:
            api_key = ApiKey(
                id=key_id,
                key_hash=sha256_hex(raw_key),
                user_id=user_id,
                label=label,
                scopes=list(scopes),
                expires_at=as_utc(expires_at) if expires_at is not None else None,
            )
        except ValueError as exc:
            raise ValidationError(f"Invalid API key: {exc}") from exc
        async with self._unit_of_work() as uow:
            await self._keys.save(uow.session, api_key, user=user_id)
            await uow.commit()
        return raw_key, api_key

    async def verify(self, raw_key: str) -> ApiKey | None:
        """The live key a raw key stands for, or None (unknown, tampered, expired)."""
        key_id = self._parse(raw_key)
        if key_id is None:
            return None
        now = utcnow()
        async with self._unit_of_work() as uow:
            api_key = await self._keys.get(uow.session, key_id)
            if api_key is None or not hmac.compare_digest(
                api_key.key_hash.encode(), sha256_hex(raw_key).encode()
            ):
                return None
            if api_key.expires_at is not None and api_key.expires_at <= now:
                return None
            if api_key.last_used_at is None or now - api_key.last_used_at >= self._touch_interval:
                api_key.last_used_at = now
                try:
                    await self._keys.save(uow.session, api_key)
                    await uow.commit()
                except (VersionConflictError, EntityNotFoundError):
                    # Used by a concurrent request, or revoked meanwhile: either is fine here.
                    logger.debug("last_used_at of API key %s not recorded", api_key.id)
        return api_key

    async def list_for_user(self, user_id: str) -> list[ApiKey]:
        """The user's keys (expired ones included), the newest first."""
        async with self._unit_of_work() as uow:
            page = await self._keys.list(
                uow.session,
                filters=[FilterSpec(field="user_id", value=user_id)],
                order_by=_NEWEST_FIRST,
                limit=_MAX_KEYS_LISTED,
                with_total=False,
            )
        return page.items

    async def revoke(self, key_id: UUID, *, user_id: str) -> None:
        """Delete one of the user's keys; ``EntityNotFoundError`` if it is not theirs."""
        async with self._unit_of_work() as uow:
            api_key = await self._keys.get(uow.session, key_id)
            if api_key is None or api_key.user_id != user_id:
                raise EntityNotFoundError(f"API key {key_id} not found", id=str(key_id))
            await self._keys.delete(uow.session, key_id)
            await uow.commit()

    def _parse(self, raw_key: str) -> UUID | None:
        head = f"{self._prefix}_"
        if not raw_key.startswith(head):
            return None
        key_hex, separator, secret = raw_key[len(head) :].partition("_")
        if not separator or not secret or len(key_hex) != _KEY_ID_HEX:
            return None
        try:
            return UUID(hex=key_hex)
        except ValueError:
            return None
