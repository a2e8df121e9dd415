"""Password checks behind login limits, shared by the login endpoint and HTTP Basic auth.

Before a password is even looked at, the account (``login:user:<email>``) must have fewer
than ``auth.login_attempts`` and the client address (``login:ip:<ip>``) fewer than
``auth.login_attempts_per_ip`` failures in the last ``auth.login_window`` seconds. Every failure counts against both; a success clears
the account's count (not the address's, so one good account cannot launder guesses).
"""

from __future__ import annotations

from framework_m_core.doctypes import User
from framework_m_core.exceptions import AuthenticationError, RateLimitedError
from framework_m_standard.adapters.auth.rate_limit import RateLimiterProtocol
from framework_m_standard.adapters.auth.users import LocalIdentityAdapter, normalize_email


def user_key(email: str) -> str:
    """The rate-limit key of an account."""
    return f"login:user:{normalize_email(email)}"


def ip_key(client_ip: str) -> str:
    """The rate-limit key of a client address."""
    return f"login:ip:{client_ip}"


class PasswordLogin:
    """Checks an e-mail and password, refusing early when either is being guessed at."""

    def __init__(
        self,
        *,
        identity: LocalIdentityAdapter,
        limiter: RateLimiterProtocol,
        ip_limiter: RateLimiterProtocol | None = None,
    ) -> None:
        self._identity = identity
        self._limiter = limiter
        self._ip_limiter = ip_limiter or limiter

    async def verify(self, email: str, password: str, *, client_ip: str | None) -> User:
        """The enabled user; ``RateLimitedError`` when limited, ``AuthenticationError`` if wrong."""
        keys = [(self._limiter, user_key(email))]
        if client_ip:
            keys.append((self._ip_limiter, ip_key(client_ip)))
        waits = [wait for limiter, key in keys if (wait := await limiter.check(key)) is not None]
        if waits:
            retry_after = max(waits)
            raise RateLimitedError(
                f"Too many failed sign-ins; try again in {retry_after} seconds",
                retry_after=retry_after,
            )
        user = await self._identity.verify_password(email, password)
        if user is None:
            for limiter, key in keys:
                await limiter.hit(key)
            raise AuthenticationError("Invalid e-mail or password")
        await self._limiter.reset(user_key(email))
        return user
