"""Local identity: users stored as ``User`` documents, checked against argon2id hashes.

E-mail addresses are stored lower-case and looked up lower-case (the ``User`` name is its
e-mail), so ``Ann@Example.com`` and ``ann@example.com`` are one account. Disabled users
are invisible here: they cannot sign in and ``get_user`` does not return them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pydantic

from framework_m_core.doctypes import User
from framework_m_core.exceptions import (
    AuthenticationError,
    DuplicateNameError,
    EntityNotFoundError,
    ValidationError,
    VersionConflictError,
)
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.identity import Credentials, PasswordCredentials, Token
from framework_m_core.interfaces.repository import RepositoryFactoryProtocol
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol
from framework_m_standard.adapters.auth.passwords import PasswordHasher
from framework_m_standard.adapters.auth.tokens import JwtTokens

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
"""Longer passwords are refused: hashing megabytes on request would be a cheap attack."""
LAST_LOGIN_PRECISION = timedelta(minutes=1)
"""``last_login`` is written at most this often, so Basic auth does not write on every call."""


def normalize_email(email: str) -> str:
    """The form e-mail addresses are stored and compared in."""
    return email.strip().lower()


def check_password_policy(password: str) -> None:
    """Raise ``ValidationError`` for a password too short (or absurdly long) to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            f"A password may have at most {MAX_PASSWORD_LENGTH} characters", field="password"
        )


def to_user_context(user: User) -> UserContext:
    """The principal a ``User`` document stands for."""
    return UserContext(
        id=str(user.id),
        email=user.email,
        name=user.full_name,
        roles=list(user.roles),
        teams=list(user.teams),
        tenants=list(user.tenants),
        attributes=dict(user.attributes),
    )


class LocalIdentityAdapter:
    """``IdentityProtocol`` over ``User`` documents, plus account management."""

    def __init__(
        self,
        *,
        repositories: RepositoryFactoryProtocol,
        unit_of_work: UnitOfWorkFactoryProtocol,
        tokens: JwtTokens,
        hasher: PasswordHasher,
    ) -> None:
        self._users = repositories.get(User)
        self._unit_of_work = unit_of_work
        self._tokens = tokens
        self._hasher = hasher

    # ------------------------------------------------------------ IdentityProtocol
    async def get_user(self, user_id: str) -> UserContext | None:
        """The enabled user with this id, or None."""
        user = await self.load_user(user_id)
        return to_user_context(user) if user is not None and user.enabled else None

    async def get_user_by_email(self, email: str) -> UserContext | None:
        """The enabled user with this e-mail address (any case), or None."""
        user = await self.find_by_email(email)
        return to_user_context(user) if user is not None and user.enabled else None

    async def authenticate(self, credentials: Credentials) -> Token:
        """A JWT for a correct e-mail and password; ``AuthenticationError`` otherwise."""
        if not isinstance(credentials, PasswordCredentials):
            raise AuthenticationError(
                f"Local identity does not accept {credentials.kind} credentials"
            )
        user = await self.verify_password(
            credentials.username, credentials.password.get_secret_value()
        )
        if user is None:
            raise AuthenticationError("Invalid e-mail or password")
        return self._tokens.issue(to_user_context(user))

    async def validate_token(self, token: str) -> UserContext | None:
        """The user a valid JWT was issued to (its claims, not re-read), or None."""
        try:
            return self._tokens.decode(token)
        except AuthenticationError:
            return None

    async def get_attributes(self, user: UserContext) -> dict[str, Any]:
        """Stored ABAC attributes with roles, teams and tenants; the context's own if unknown."""
        stored = await self.load_user(user.id)
        source = to_user_context(stored) if stored is not None else user
        return {
            **source.attributes,
            "roles": list(source.roles),
            "teams": list(source.teams),
            "tenants": list(source.tenants),
        }

    # ------------------------------------------------------------ accounts
    async def load_user(self, user_id: str) -> User | None:
        """The ``User`` document with this id (enabled or not), or None."""
        try:
            key = UUID(user_id)
        except ValueError:
            return None
        async with self._unit_of_work() as uow:
            return await self._users.get(uow.session, key)

    async def find_by_email(self, email: str) -> User | None:
        """The ``User`` document with this e-mail address (enabled or not), or None."""
        async with self._unit_of_work() as uow:
            return await self._users.get_by_name(uow.session, normalize_email(email))

    async def create_user(
        self,
        email: str,
        password: str | None,
        *,
        full_name: str | None = None,
        roles: Iterable[str] = (),
        teams: Iterable[str] = (),
        tenants: Iterable[str] = (),
        attributes: Mapping[str, Any] | None = None,
        enabled: bool = True,
    ) -> User:
        """A new local user; ``password`` None makes an account that cannot sign in yet."""
        if password is not None:
            check_password_policy(password)
        address = normalize_email(email)
        try:
            user = User(
                email=address,
                name=address,
                full_name=full_name,
                roles=list(roles),
                teams=list(teams),
                tenants=list(tenants),
                attributes=dict(attributes or {}),
                enabled=enabled,
            )
        except pydantic.ValidationError as exc:
            raise ValidationError(f"Invalid user: {_first_error(exc)}", email=address) from exc
        if password is not None:
            user.password_hash = await asyncio.to_thread(self._hasher.hash, password)
        async with self._unit_of_work() as uow:
            if await self._users.get_by_name(uow.session, address) is not None:
                raise DuplicateNameError(
                    f"A user with the e-mail {address} already exists", email=address
                )
            await self._users.save(uow.session, user)
            await uow.commit()
        return user

    async def set_password(self, email: str, password: str) -> None:
        """Replace a user's password; ``EntityNotFoundError`` for an unknown e-mail."""
        check_password_policy(password)
        password_hash = await asyncio.to_thread(self._hasher.hash, password)
        address = normalize_email(email)
        async with self._unit_of_work() as uow:
            user = await self._users.get_by_name(uow.session, address)
            if user is None:
                raise EntityNotFoundError(f"No user with the e-mail {address}", email=address)
            user.password_hash = password_hash
            await self._users.save(uow.session, user)
            await uow.commit()

    async def verify_password(self, email: str, password: str) -> User | None:
        """The enabled user if the password is right, else None; records the login.

        Unknown users cost the same time as known ones. A hash made with older parameters
        is replaced by one made with the current ones.
        """
        user = await self.find_by_email(email)
        if user is None or user.password_hash is None:
            await asyncio.to_thread(self._hasher.verify_dummy, password)
            return None
        if not await asyncio.to_thread(self._hasher.verify, user.password_hash, password):
            return None
        if not user.enabled:
            return None
        await self._record_login(user, password)
        return user

    async def _record_login(self, user: User, password: str) -> None:
        now = datetime.now(UTC)
        changed = False
        if user.password_hash is None or self._hasher.needs_rehash(user.password_hash):
            user.password_hash = await asyncio.to_thread(self._hasher.hash, password)
            changed = True
        if user.last_login is None or now - user.last_login >= LAST_LOGIN_PRECISION:
            user.last_login = now
            changed = True
        if not changed:
            return
        try:
            async with self._unit_of_work() as uow:
                await self._users.save(uow.session, user)
                await uow.commit()
        except VersionConflictError:
            # A concurrent login (or an edit) saved the user first; its write is as good.
            logger.debug("last_login of %s not recorded: the user changed meanwhile", user.id)


def _first_error(exc: pydantic.ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    return f"{location}: {error['msg']}" if location else str(error["msg"])
