"""What the HTTP layer calls: log in and out, manage sessions and API keys; and the wiring.

``build_auth`` turns settings and the repository ports into every auth component at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from framework_m_core.doctypes import ApiKey, UserSession
from framework_m_core.exceptions import EntityNotFoundError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.authentication import Authenticated, AuthenticationProtocol
from framework_m_core.interfaces.identity import Token
from framework_m_core.interfaces.repository import RepositoryFactoryProtocol
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol
from framework_m_core.settings import Settings
from framework_m_standard.adapters.auth.api_keys import ApiKeyStore
from framework_m_standard.adapters.auth.chain import AuthChain, build_auth_chain
from framework_m_standard.adapters.auth.login import PasswordLogin
from framework_m_standard.adapters.auth.passwords import PasswordHasher
from framework_m_standard.adapters.auth.rate_limit import RateLimiterProtocol, build_rate_limiter
from framework_m_standard.adapters.auth.secret import resolve_secret_key
from framework_m_standard.adapters.auth.sessions import DatabaseSessionStore
from framework_m_standard.adapters.auth.strategies import (
    ApiKeyAuth,
    BasicAuth,
    BearerTokenAuth,
    GatewayHeaderAuth,
    SessionCookieAuth,
)
from framework_m_standard.adapters.auth.tokens import JwtTokens
from framework_m_standard.adapters.auth.users import LocalIdentityAdapter, to_user_context


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A successful login: the user, a JWT, and a new cookie session with its CSRF token."""

    user: UserContext
    token: Token
    session_token: str
    """The raw session token for the cookie; only its digest is stored."""
    session: UserSession
    csrf_token: str


class LocalAuthService:
    """Login, logout, sessions and API keys of local users."""

    def __init__(
        self,
        *,
        login: PasswordLogin,
        sessions: DatabaseSessionStore,
        api_keys: ApiKeyStore,
        tokens: JwtTokens,
    ) -> None:
        self._login = login
        self._sessions = sessions
        self._api_keys = api_keys
        self._tokens = tokens

    async def login(
        self, email: str, password: str, *, client_ip: str | None, user_agent: str | None
    ) -> LoginResult:
        """Check the password (behind the login limits) and open a session.

        Raises ``RateLimitedError`` when the account or the address has failed too often
        recently, ``AuthenticationError`` for a wrong e-mail, password or disabled account.
        """
        user = to_user_context(await self._login.verify(email, password, client_ip=client_ip))
        session_token, session = await self._sessions.create(
            user.id, ip_address=client_ip, user_agent=user_agent
        )
        return LoginResult(
            user=user,
            token=self._tokens.issue(user),
            session_token=session_token,
            session=session,
            csrf_token=session.csrf_token,
        )

    async def logout(self, authenticated: Authenticated) -> bool:
        """End the cookie session behind a request; False when there was none (JWTs just expire)."""
        session_id = _session_id(authenticated)
        if session_id is None:
            return False
        return await self._sessions.delete(session_id, user_id=authenticated.user.id)

    async def list_sessions(self, user_id: str) -> list[UserSession]:
        """The user's live sessions, the newest first."""
        return await self._sessions.list_for_user(user_id)

    async def revoke_session(self, session_id: UUID, *, user_id: str) -> None:
        """End one of the user's sessions; ``EntityNotFoundError`` if it is not theirs."""
        if not await self._sessions.delete(session_id, user_id=user_id):
            raise EntityNotFoundError(f"Session {session_id} not found", id=str(session_id))

    async def revoke_all_sessions(
        self, user_id: str, *, except_session_id: UUID | None = None
    ) -> int:
        """End every session of the user but ``except_session_id``; how many were ended."""
        return await self._sessions.delete_all_for_user(
            user_id, except_session_id=except_session_id
        )

    async def create_api_key(
        self,
        user_id: str,
        *,
        label: str = "",
        scopes: Sequence[str] = (),
        expires_at: datetime | None = None,
    ) -> tuple[str, ApiKey]:
        """A new API key: the raw key (show it once) and its document."""
        return await self._api_keys.create(
            user_id, label=label, scopes=scopes, expires_at=expires_at
        )

    async def list_api_keys(self, user_id: str) -> list[ApiKey]:
        """The user's API keys, the newest first."""
        return await self._api_keys.list_for_user(user_id)

    async def revoke_api_key(self, key_id: UUID, *, user_id: str) -> None:
        """Delete one of the user's API keys; ``EntityNotFoundError`` if it is not theirs."""
        await self._api_keys.revoke(key_id, user_id=user_id)


def _session_id(authenticated: Authenticated) -> UUID | None:
    if authenticated.method != "session" or authenticated.session_id is None:
        return None
    try:
        return UUID(authenticated.session_id)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AuthComponents:
    """Every auth piece of an application, built together by ``build_auth``."""

    identity: LocalIdentityAdapter
    sessions: DatabaseSessionStore
    api_keys: ApiKeyStore
    tokens: JwtTokens
    rate_limiter: RateLimiterProtocol
    """Failed logins per account."""
    service: LocalAuthService
    chain: AuthChain
    ip_rate_limiter: RateLimiterProtocol
    """Failed logins per client address (a looser limit)."""

    async def close(self) -> None:
        """Release what holds connections (the Redis rate limiter)."""
        await self.rate_limiter.close()
        if self.ip_rate_limiter is not self.rate_limiter:
            await self.ip_rate_limiter.close()


def build_auth(
    settings: Settings,
    *,
    repositories: RepositoryFactoryProtocol,
    unit_of_work: UnitOfWorkFactoryProtocol,
    password_hasher: PasswordHasher | None = None,
    rate_limiter: RateLimiterProtocol | None = None,
) -> AuthComponents:
    """Wire identity, stores, tokens, limits, the service and the chain from settings."""
    auth = settings.auth
    tokens = JwtTokens(resolve_secret_key(settings), auth)
    identity = LocalIdentityAdapter(
        repositories=repositories,
        unit_of_work=unit_of_work,
        tokens=tokens,
        hasher=password_hasher or PasswordHasher(),
    )
    sessions = DatabaseSessionStore(
        repositories=repositories, unit_of_work=unit_of_work, ttl=auth.session_ttl
    )
    api_keys = ApiKeyStore(
        repositories=repositories, unit_of_work=unit_of_work, prefix=auth.api_key_prefix
    )
    limiter = rate_limiter or build_rate_limiter(settings)
    # An explicit limiter (tests) serves both keys; otherwise addresses get a looser limit.
    ip_limiter = rate_limiter or build_rate_limiter(
        settings, limit=settings.auth.login_attempts_per_ip
    )
    login = PasswordLogin(identity=identity, limiter=limiter, ip_limiter=ip_limiter)
    strategies: dict[str, AuthenticationProtocol] = {
        "session": SessionCookieAuth(
            sessions=sessions, identity=identity, cookie_name=auth.session_cookie
        ),
        "jwt": BearerTokenAuth(tokens=tokens),
        "api_key": ApiKeyAuth(api_keys=api_keys, identity=identity),
        "basic": BasicAuth(login=login),
        "gateway": GatewayHeaderAuth(settings=auth.gateway),
    }
    return AuthComponents(
        identity=identity,
        sessions=sessions,
        api_keys=api_keys,
        tokens=tokens,
        rate_limiter=limiter,
        ip_rate_limiter=ip_limiter,
        service=LocalAuthService(login=login, sessions=sessions, api_keys=api_keys, tokens=tokens),
        chain=build_auth_chain(settings, strategies=strategies),
    )
