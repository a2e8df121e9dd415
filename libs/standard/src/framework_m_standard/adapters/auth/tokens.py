"""Signed JWT access tokens (HMAC); only the configured algorithm is ever accepted.

A token carries the user's roles, teams, tenants and attributes until it expires: a role
change or a disabled account takes effect for JWT callers after ``auth.access_token_ttl``
at the latest. Cookie sessions, API keys and Basic auth read the user afresh every time.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pydantic

from framework_m_core.exceptions import AuthenticationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.identity import Token
from framework_m_core.settings import AuthSettings

_REQUIRED = ("sub", "email", "iat", "exp", "iss", "jti")
_MAX_VERIFIED = 10_000


class JwtTokens:
    """Issues and checks access tokens signed with the project's secret key."""

    def __init__(self, secret: str, settings: AuthSettings) -> None:
        self._secret = secret
        self._algorithm = settings.jwt_algorithm
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._ttl = timedelta(seconds=settings.access_token_ttl)
        # Checking a signature costs more than the rest of a simple request; a token that
        # passed once is remembered (with its expiry, still checked on every use).
        self._verified: dict[str, tuple[UserContext, float]] = {}

    def issue(self, user: UserContext) -> Token:
        """A token for the user, valid for ``auth.access_token_ttl`` seconds."""
        now = datetime.now(UTC)
        expires_at = now + self._ttl
        claims: dict[str, Any] = {
            "sub": user.id,
            "email": user.email,
            "name": user.name,
            "roles": user.roles,
            "teams": user.teams,
            "tenants": user.tenants,
            "attributes": user.attributes,
            "iss": self._issuer,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": secrets.token_urlsafe(16),
        }
        if self._audience is not None:
            claims["aud"] = self._audience
        access_token = jwt.encode(claims, self._secret, algorithm=self._algorithm)
        return Token(access_token=access_token, expires_at=expires_at.replace(microsecond=0))

    def decode(self, token: str) -> UserContext:
        """The user a valid token was issued to; ``AuthenticationError`` for anything else."""
        known = self._verified.get(token)
        if known is not None:
            user, expires = known
            if time.time() < expires:
                return _copy(user)
            del self._verified[token]
            raise AuthenticationError("The access token has expired")
        user, expires = self._verify(token)
        if len(self._verified) >= _MAX_VERIFIED:
            self._verified.clear()
        self._verified[token] = (user, expires)
        return _copy(user)

    def _verify(self, token: str) -> tuple[UserContext, float]:
        required = [*_REQUIRED, "aud"] if self._audience is not None else list(_REQUIRED)
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": required},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("The access token has expired") from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"Invalid access token: {exc}") from exc
        try:
            user = UserContext.model_validate(
                {
                    "id": claims["sub"],
                    "email": claims["email"],
                    "name": claims.get("name"),
                    "roles": claims.get("roles") or [],
                    "teams": claims.get("teams") or [],
                    "tenants": claims.get("tenants") or [],
                    "attributes": claims.get("attributes") or {},
                },
                strict=True,
            )
        except pydantic.ValidationError as exc:
            raise AuthenticationError("Invalid access token: malformed claims") from exc
        return user, float(claims["exp"])


def _copy(user: UserContext) -> UserContext:
    """A copy sharing no list or dict with the remembered user: callers may change theirs."""
    return user.model_copy(
        update={
            "roles": list(user.roles),
            "teams": list(user.teams),
            "tenants": list(user.tenants),
            "attributes": dict(user.attributes),
        }
    )
