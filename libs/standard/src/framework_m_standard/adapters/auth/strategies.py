"""The authentication strategies: each recognises one kind of credentials in an ``AuthRequest``.

Cookie sessions, API keys and Basic auth read the user from the database on every request,
so a disabled account or a role change applies at once. A JWT carries its claims until it
expires (see ``tokens``). Gateway headers are believed only from the configured addresses.
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import json
from typing import Any

from framework_m_core.exceptions import AuthenticationError, ConfigurationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.authentication import Authenticated, AuthRequest
from framework_m_core.settings import GatewaySettings
from framework_m_standard.adapters.auth.api_keys import ApiKeyStore
from framework_m_standard.adapters.auth.login import PasswordLogin
from framework_m_standard.adapters.auth.sessions import DatabaseSessionStore
from framework_m_standard.adapters.auth.tokens import JwtTokens
from framework_m_standard.adapters.auth.users import LocalIdentityAdapter, to_user_context

API_KEY_HEADER = "X-API-Key"
GATEWAY_SECRET_HEADER = "X-Gateway-Secret"

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _authorization(request: AuthRequest, scheme: str) -> str | None:
    """The credentials after ``Authorization: <scheme>`` (any case), or None."""
    value = request.header("Authorization")
    if value is None:
        return None
    given, _, credentials = value.strip().partition(" ")
    return credentials.strip() if given.lower() == scheme else None


async def _active_user(identity: LocalIdentityAdapter, user_id: str) -> UserContext:
    user = await identity.get_user(user_id)
    if user is None:
        raise AuthenticationError("The account no longer exists or is disabled")
    return user


class SessionCookieAuth:
    """A browser session: the cookie ``auth.session_cookie`` holds the session token."""

    name = "session"

    def __init__(
        self,
        *,
        sessions: DatabaseSessionStore,
        identity: LocalIdentityAdapter,
        cookie_name: str,
    ) -> None:
        self._sessions = sessions
        self._identity = identity
        self._cookie_name = cookie_name

    def supports(self, request: AuthRequest) -> bool:
        """Whether the session cookie is present."""
        return bool(request.cookies.get(self._cookie_name))

    async def authenticate(self, request: AuthRequest) -> Authenticated:
        """The session's user, with the session id and its CSRF token."""
        session = await self._sessions.get(request.cookies.get(self._cookie_name, ""))
        if session is None:
            raise AuthenticationError("The session has expired or was signed out")
        user = await _active_user(self._identity, session.user_id)
        return Authenticated(
            user=user,
            method="session",
            session_id=str(session.id),
            csrf_token=session.csrf_token,
        )


class BearerTokenAuth:
    """``Authorization: Bearer <jwt>``; the token's claims are the user until it expires."""

    name = "jwt"

    def __init__(self, *, tokens: JwtTokens) -> None:
        self._tokens = tokens

    def supports(self, request: AuthRequest) -> bool:
        """Whether a Bearer token is present."""
        return _authorization(request, "bearer") is not None

    async def authenticate(self, request: AuthRequest) -> Authenticated:
        """The user the token names; ``AuthenticationError`` when it is invalid or expired."""
        token = _authorization(request, "bearer")
        if not token:
            raise AuthenticationError("The Bearer token is empty")
        return Authenticated(user=self._tokens.decode(token), method="jwt")


class ApiKeyAuth:
    """``X-API-Key: <key>``; the key's scopes restrict what the request may do."""

    name = "api_key"

    def __init__(self, *, api_keys: ApiKeyStore, identity: LocalIdentityAdapter) -> None:
        self._api_keys = api_keys
        self._identity = identity

    def supports(self, request: AuthRequest) -> bool:
        """Whether an API key header is present."""
        return request.header(API_KEY_HEADER) is not None

    async def authenticate(self, request: AuthRequest) -> Authenticated:
        """The key owner's user; ``AuthenticationError`` for an unknown, expired or revoked key."""
        api_key = await self._api_keys.verify((request.header(API_KEY_HEADER) or "").strip())
        if api_key is None:
            raise AuthenticationError("Invalid or expired API key")
        user = await _active_user(self._identity, api_key.user_id)
        return Authenticated(user=user, method="api_key", scopes=tuple(api_key.scopes) or None)


class BasicAuth:
    """``Authorization: Basic`` with an e-mail and password, behind the login rate limits."""

    name = "basic"

    def __init__(self, *, login: PasswordLogin) -> None:
        self._login = login

    def supports(self, request: AuthRequest) -> bool:
        """Whether Basic credentials are present."""
        return _authorization(request, "basic") is not None

    async def authenticate(self, request: AuthRequest) -> Authenticated:
        """The user if the password is right; ``RateLimitedError`` after too many failures."""
        encoded = _authorization(request, "basic") or ""
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except ValueError as exc:
            raise AuthenticationError("Malformed Basic credentials") from exc
        email, separator, password = decoded.partition(":")
        if not separator:
            raise AuthenticationError("Malformed Basic credentials")
        user = await self._login.verify(email, password, client_ip=request.client_ip)
        return Authenticated(user=to_user_context(user), method="basic")


class GatewayHeaderAuth:
    """Federated mode: a trusted gateway in front of the app names the user in headers."""

    name = "gateway"

    def __init__(self, *, settings: GatewaySettings) -> None:
        self._settings = settings
        self._trusted = _networks(settings.trusted_ips)

    def supports(self, request: AuthRequest) -> bool:
        """Whether the user id header is present."""
        return request.header(self._settings.user_id_header) is not None

    async def authenticate(self, request: AuthRequest) -> Authenticated:
        """The user the headers describe, if they come from a trusted gateway."""
        self._check_gateway(request)
        gateway = self._settings
        user_id = (request.header(gateway.user_id_header) or "").strip()
        if not user_id:
            raise AuthenticationError(f"The {gateway.user_id_header} header is empty")
        user = UserContext(
            id=user_id,
            email=(request.header(gateway.email_header) or "").strip(),
            name=(request.header(gateway.name_header) or "").strip() or None,
            roles=_split(request.header(gateway.roles_header)),
            tenants=_split(request.header(gateway.tenants_header)),
            teams=_split(request.header(gateway.teams_header)),
            attributes=_attributes(request.header(gateway.attributes_header), gateway),
        )
        return Authenticated(user=user, method="gateway")

    def _check_gateway(self, request: AuthRequest) -> None:
        if not self._is_trusted(request.client_ip):
            raise AuthenticationError("Gateway headers are not accepted from this address")
        expected = self._settings.shared_secret
        if expected is not None:
            given = request.header(GATEWAY_SECRET_HEADER) or ""
            if not hmac.compare_digest(given.encode(), expected.encode()):
                raise AuthenticationError("The gateway secret is missing or wrong")

    def _is_trusted(self, client_ip: str | None) -> bool:
        if not client_ip:
            return False
        try:
            address = ipaddress.ip_address(client_ip.strip())
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self._trusted)


def _networks(entries: list[str]) -> tuple[IpNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as exc:
        raise ConfigurationError(
            f"auth.gateway.trusted_ips holds an invalid address or network: {exc}",
            setting="auth.gateway.trusted_ips",
        ) from exc


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _attributes(value: str | None, gateway: GatewaySettings) -> dict[str, Any]:
    if value is None or not value.strip():
        return {}
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError) as exc:
        raise AuthenticationError(
            f"The {gateway.attributes_header} header is not valid JSON"
        ) from exc
    if not isinstance(parsed, dict):
        raise AuthenticationError(f"The {gateway.attributes_header} header must be a JSON object")
    return parsed
