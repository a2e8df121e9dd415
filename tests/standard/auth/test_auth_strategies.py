"""Each strategy accepts good credentials and refuses bad ones (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from auth_support import SECRET

from framework_m_core.doctypes import User, UserSession
from framework_m_core.exceptions import (
    AuthenticationError,
    ConfigurationError,
    RateLimitedError,
)
from framework_m_core.interfaces.authentication import AuthenticationProtocol, AuthRequest
from framework_m_core.settings import GatewaySettings, Settings
from framework_m_standard.adapters.auth.service import AuthComponents
from framework_m_standard.adapters.auth.strategies import (
    ApiKeyAuth,
    BasicAuth,
    BearerTokenAuth,
    GatewayHeaderAuth,
    SessionCookieAuth,
)
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

PASSWORD = "correct horse"


def _strategy(auth: AuthComponents, name: str) -> AuthenticationProtocol:
    return {s.name: s for s in auth.chain.strategies}[name]


def _basic(email: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


async def _set_user(db: DatabaseRuntime, user: User, **changes: object) -> None:
    async with db.unit_of_work() as uow:
        repo = db.repositories.get(User)
        stored = await repo.get(uow.session, user.id)
        assert stored is not None
        for field, value in changes.items():
            setattr(stored, field, value)
        await repo.save(uow.session, stored)
        await uow.commit()


async def _delete_user(db: DatabaseRuntime, user: User) -> None:
    async with db.unit_of_work() as uow:
        await db.repositories.get(User).delete(uow.session, user.id)
        await uow.commit()


# ------------------------------------------------------------------ session cookie
async def test_session_cookie(
    auth: AuthComponents, auth_db: DatabaseRuntime, settings: Settings
) -> None:
    strategy = _strategy(auth, "session")
    assert isinstance(strategy, SessionCookieAuth)
    user = await auth.identity.create_user("ann@example.com", PASSWORD, roles=["Sales User"])
    raw, session = await auth.sessions.create(str(user.id))
    cookie = settings.auth.session_cookie
    request = AuthRequest(cookies={cookie: raw})
    assert strategy.supports(request)
    assert not strategy.supports(AuthRequest())
    assert not strategy.supports(AuthRequest(cookies={cookie: ""}))
    assert not strategy.supports(AuthRequest(cookies={"other": raw}))
    authenticated = await strategy.authenticate(request)
    assert authenticated.method == "session"
    assert authenticated.user.id == str(user.id)
    assert authenticated.session_id == str(session.id)
    assert authenticated.csrf_token == session.csrf_token
    assert authenticated.scopes is None
    # Role changes apply at once: the user is read afresh.
    await _set_user(auth_db, user, roles=["Accounts User"])
    assert (await strategy.authenticate(request)).user.roles == ["Accounts User"]
    with pytest.raises(AuthenticationError, match="expired or was signed out"):
        await strategy.authenticate(AuthRequest(cookies={cookie: raw + "x"}))


async def test_session_of_a_disabled_or_deleted_user_is_refused(
    auth: AuthComponents, auth_db: DatabaseRuntime, settings: Settings
) -> None:
    strategy = _strategy(auth, "session")
    user = await auth.identity.create_user("ann@example.com", PASSWORD)
    raw, _ = await auth.sessions.create(str(user.id))
    request = AuthRequest(cookies={settings.auth.session_cookie: raw})
    await strategy.authenticate(request)
    await _set_user(auth_db, user, enabled=False)
    with pytest.raises(AuthenticationError, match="disabled"):
        await strategy.authenticate(request)
    await _set_user(auth_db, user, enabled=True)
    await strategy.authenticate(request)
    await _delete_user(auth_db, user)
    with pytest.raises(AuthenticationError):
        await strategy.authenticate(request)


async def test_expired_session_is_refused(
    auth: AuthComponents, auth_db: DatabaseRuntime, settings: Settings
) -> None:
    user = await auth.identity.create_user("ann@example.com", PASSWORD)
    raw, session = await auth.sessions.create(str(user.id))
    session.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    async with auth_db.unit_of_work() as uow:
        await auth_db.repositories.get(UserSession).save(uow.session, session)
        await uow.commit()
    with pytest.raises(AuthenticationError):
        await _strategy(auth, "session").authenticate(
            AuthRequest(cookies={settings.auth.session_cookie: raw})
        )


# ------------------------------------------------------------------ bearer JWT
async def test_bearer_token(auth: AuthComponents) -> None:
    strategy = _strategy(auth, "jwt")
    assert isinstance(strategy, BearerTokenAuth)
    user = await auth.identity.create_user("ann@example.com", PASSWORD, roles=["Sales User"])
    token = (
        await auth.service.login("ann@example.com", PASSWORD, client_ip=None, user_agent=None)
    ).token
    for header in (f"Bearer {token.access_token}", f"bearer  {token.access_token} "):
        request = AuthRequest(headers={"authorization": header})
        assert strategy.supports(request)
        authenticated = await strategy.authenticate(request)
        assert authenticated.method == "jwt"
        assert authenticated.user.id == str(user.id)
        assert authenticated.user.roles == ["Sales User"]
        assert authenticated.session_id is None
    assert not strategy.supports(AuthRequest())
    assert not strategy.supports(AuthRequest(headers={"authorization": _basic("a", "b")}))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer not-a-jwt",
        "Bearer " + jwt.encode({"sub": "x"}, "o" * 64, algorithm="HS256"),
        "Bearer " + jwt.encode({"sub": "x", "email": "x@y"}, None, algorithm="none"),
    ],
)
async def test_bad_bearer_tokens_are_refused(auth: AuthComponents, header: str) -> None:
    strategy = _strategy(auth, "jwt")
    request = AuthRequest(headers={"authorization": header})
    assert strategy.supports(request)
    with pytest.raises(AuthenticationError):
        await strategy.authenticate(request)


async def test_expired_bearer_token_is_refused(auth: AuthComponents) -> None:
    claims = {"sub": "u", "email": "a@b", "iss": "framework-m", "jti": "j", "iat": 1, "exp": 2}
    expired = jwt.encode(claims, SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationError, match="expired"):
        await _strategy(auth, "jwt").authenticate(
            AuthRequest(headers={"authorization": f"Bearer {expired}"})
        )


# ------------------------------------------------------------------ API key
async def test_api_key(auth: AuthComponents, auth_db: DatabaseRuntime) -> None:
    strategy = _strategy(auth, "api_key")
    assert isinstance(strategy, ApiKeyAuth)
    user = await auth.identity.create_user("ann@example.com", PASSWORD)
    scoped, _ = await auth.api_keys.create(str(user.id), scopes=["Invoice:read", "read"])
    full, _ = await auth.api_keys.create(str(user.id))
    request = AuthRequest(headers={"x-api-key": scoped})
    assert strategy.supports(request)
    assert not strategy.supports(AuthRequest())
    authenticated = await strategy.authenticate(request)
    assert authenticated.method == "api_key"
    assert authenticated.user.id == str(user.id)
    assert authenticated.scopes == ("Invoice:read", "read")
    unrestricted = await strategy.authenticate(AuthRequest(headers={"x-api-key": full}))
    assert unrestricted.scopes is None
    for bad in (scoped[:-2], "", "fmk_nothing"):
        with pytest.raises(AuthenticationError, match="API key"):
            await strategy.authenticate(AuthRequest(headers={"x-api-key": bad}))
    await _set_user(auth_db, user, enabled=False)
    with pytest.raises(AuthenticationError, match="disabled"):
        await strategy.authenticate(request)


async def test_api_key_of_a_deleted_user_is_refused(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    user = await auth.identity.create_user("ann@example.com", PASSWORD)
    raw, _ = await auth.api_keys.create(str(user.id))
    request = AuthRequest(headers={"x-api-key": raw})
    await _strategy(auth, "api_key").authenticate(request)
    await _delete_user(auth_db, user)
    with pytest.raises(AuthenticationError):
        await _strategy(auth, "api_key").authenticate(request)


# ------------------------------------------------------------------ HTTP Basic
async def test_basic(auth: AuthComponents, auth_db: DatabaseRuntime) -> None:
    strategy = _strategy(auth, "basic")
    assert isinstance(strategy, BasicAuth)
    user = await auth.identity.create_user("ann@example.com", "pass:with:colons")
    request = AuthRequest(headers={"authorization": _basic("Ann@example.com", "pass:with:colons")})
    assert strategy.supports(request)
    assert not strategy.supports(AuthRequest(headers={"authorization": "Bearer x"}))
    authenticated = await strategy.authenticate(request)
    assert (authenticated.method, authenticated.user.id) == ("basic", str(user.id))
    await _set_user(auth_db, user, roles=["Accounts User"])
    assert (await strategy.authenticate(request)).user.roles == ["Accounts User"]
    with pytest.raises(AuthenticationError, match="Invalid e-mail or password"):
        await strategy.authenticate(
            AuthRequest(headers={"authorization": _basic("ann@example.com", "wrong password")})
        )
    await _set_user(auth_db, user, enabled=False)
    with pytest.raises(AuthenticationError):
        await strategy.authenticate(request)


@pytest.mark.parametrize(
    "header",
    [
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
        "Basic ünïcode",
    ],
)
async def test_malformed_basic_credentials_are_refused(auth: AuthComponents, header: str) -> None:
    strategy = _strategy(auth, "basic")
    request = AuthRequest(headers={"authorization": header})
    assert strategy.supports(request)
    with pytest.raises(AuthenticationError, match="Malformed"):
        await strategy.authenticate(request)


async def test_basic_failures_count_against_the_login_limits(auth: AuthComponents) -> None:
    await auth.identity.create_user("ann@example.com", PASSWORD)
    strategy = _strategy(auth, "basic")
    wrong = AuthRequest(
        headers={"authorization": _basic("ann@example.com", "wrong password")},
        client_ip="10.0.0.1",
    )
    for _ in range(10):
        with pytest.raises(AuthenticationError):
            await strategy.authenticate(wrong)
    right = AuthRequest(
        headers={"authorization": _basic("ann@example.com", PASSWORD)}, client_ip="10.0.0.2"
    )
    with pytest.raises(RateLimitedError):
        await strategy.authenticate(right)
    # The same keys as the login form: it is locked out too.
    with pytest.raises(RateLimitedError):
        await auth.service.login("ann@example.com", PASSWORD, client_ip=None, user_agent=None)


# ------------------------------------------------------------------ gateway headers
HEADERS = {
    "x-user-id": "ext-42",
    "x-email": "gw@example.com",
    "x-user-name": "Gate Way",
    "x-roles": "Sales User, Accounts User,,",
    "x-tenants": "acme",
    "x-teams": "north,south",
    "x-user-attributes": json.dumps({"department": "sales", "level": 3}),
}


def _gateway(**settings: object) -> GatewayHeaderAuth:
    return GatewayHeaderAuth(settings=GatewaySettings.model_validate(settings))


async def test_gateway_headers_from_a_trusted_address() -> None:
    strategy = _gateway()
    request = AuthRequest(headers=HEADERS, client_ip="127.0.0.1")
    assert strategy.supports(request)
    assert not strategy.supports(AuthRequest(client_ip="127.0.0.1"))
    authenticated = await strategy.authenticate(request)
    user = authenticated.user
    assert authenticated.method == "gateway"
    assert (user.id, user.email, user.name) == ("ext-42", "gw@example.com", "Gate Way")
    assert user.roles == ["Sales User", "Accounts User"]
    assert (user.tenants, user.teams) == (["acme"], ["north", "south"])
    assert user.attributes == {"department": "sales", "level": 3}
    minimal = await strategy.authenticate(
        AuthRequest(headers={"x-user-id": "ext-1"}, client_ip="::1")
    )
    assert (minimal.user.id, minimal.user.roles, minimal.user.attributes) == ("ext-1", [], {})


@pytest.mark.parametrize("client_ip", ["10.0.0.5", "127.0.0.2", None, "", "not-an-ip"])
async def test_gateway_headers_from_an_untrusted_address_are_refused(
    client_ip: str | None,
) -> None:
    request = AuthRequest(headers=HEADERS, client_ip=client_ip)
    with pytest.raises(AuthenticationError, match="not accepted from this address"):
        await _gateway().authenticate(request)


async def test_gateway_trusts_networks_and_ipv4_mapped_addresses() -> None:
    strategy = _gateway(trusted_ips=["10.1.0.0/16", "fd00::/8"])
    for client_ip in ("10.1.2.3", "::ffff:10.1.9.9", "fd00::1"):
        request = AuthRequest(headers=HEADERS, client_ip=client_ip)
        assert (await strategy.authenticate(request)).user.id == "ext-42"
    for client_ip in ("10.2.0.1", "127.0.0.1", "fe80::1"):
        with pytest.raises(AuthenticationError):
            await strategy.authenticate(AuthRequest(headers=HEADERS, client_ip=client_ip))


async def test_gateway_shared_secret_is_required_when_set() -> None:
    strategy = _gateway(shared_secret="gateway-secret-1")
    good = AuthRequest(
        headers={**HEADERS, "x-gateway-secret": "gateway-secret-1"}, client_ip="127.0.0.1"
    )
    assert (await strategy.authenticate(good)).user.id == "ext-42"
    for secret in (None, "", "gateway-secret-2", "gateway-secret-1 ", "ünïcode"):
        headers = dict(HEADERS) if secret is None else {**HEADERS, "x-gateway-secret": secret}
        with pytest.raises(AuthenticationError, match="secret"):
            await strategy.authenticate(AuthRequest(headers=headers, client_ip="127.0.0.1"))
    # The secret does not make an untrusted address trusted.
    with pytest.raises(AuthenticationError, match="address"):
        await strategy.authenticate(good.model_copy(update={"client_ip": "10.0.0.5"}))


async def test_gateway_custom_header_names() -> None:
    strategy = _gateway(user_id_header="X-Auth-Sub", roles_header="X-Auth-Groups")
    request = AuthRequest(
        headers={"x-auth-sub": "s-1", "x-auth-groups": "a,b", "x-user-id": "ignored"},
        client_ip="127.0.0.1",
    )
    user = (await strategy.authenticate(request)).user
    assert (user.id, user.roles) == ("s-1", ["a", "b"])
    assert not strategy.supports(AuthRequest(headers={"x-user-id": "x"}, client_ip="127.0.0.1"))


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"x-user-id": "  "}, "empty"),
        ({"x-user-id": "u", "x-user-attributes": "{not json"}, "not valid JSON"),
        ({"x-user-id": "u", "x-user-attributes": "[1, 2]"}, "JSON object"),
        ({"x-user-id": "u", "x-user-attributes": "[" * 100_000}, "not valid JSON"),
    ],
)
async def test_gateway_malformed_headers_are_refused(headers: dict[str, str], message: str) -> None:
    with pytest.raises(AuthenticationError, match=message):
        await _gateway().authenticate(AuthRequest(headers=headers, client_ip="127.0.0.1"))


def test_gateway_invalid_trusted_ips_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="trusted_ips"):
        _gateway(trusted_ips=["127.0.0.1", "10.0.0.0/33"])
