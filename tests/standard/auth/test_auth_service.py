"""LocalAuthService and build_auth on SQLite and PostgreSQL; login limits in memory and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import nullcontext
from pathlib import Path

import pytest
from auth_support import REDIS_URL, fast_hasher, make_settings, redis_keyspace

from framework_m_core.exceptions import (
    AuthenticationError,
    ConfigurationError,
    EntityNotFoundError,
    RateLimitedError,
)
from framework_m_core.interfaces.authentication import Authenticated, AuthRequest
from framework_m_core.settings import Settings
from framework_m_standard.adapters.auth.rate_limit import (
    InMemoryRateLimiter,
    RateLimiterProtocol,
    RedisRateLimiter,
)
from framework_m_standard.adapters.auth.service import AuthComponents, build_auth
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

PASSWORD = "correct horse"
WRONG = "wrong horse"


@pytest.fixture(params=["memory", "redis"])
async def limited(
    request: pytest.FixtureRequest, auth_db: DatabaseRuntime, settings: Settings
) -> AsyncIterator[AuthComponents]:
    """Auth components whose login limits live in process or in the real Redis."""
    limit, window = settings.auth.login_attempts, settings.auth.login_window
    async with redis_keyspace() if request.param == "redis" else nullcontext("") as prefix:
        limiter: RateLimiterProtocol = (
            RedisRateLimiter(REDIS_URL, limit=limit, window=window, prefix=prefix)
            if prefix
            else InMemoryRateLimiter(limit=limit, window=window)
        )
        components = build_auth(
            settings,
            repositories=auth_db.repositories,
            unit_of_work=auth_db.unit_of_work,
            password_hasher=fast_hasher(),
            rate_limiter=limiter,
        )
        try:
            yield components
        finally:
            await components.close()


async def test_login_returns_user_token_and_session(auth: AuthComponents) -> None:
    user = await auth.identity.create_user("ann@example.com", PASSWORD, roles=["Sales User"])
    result = await auth.service.login(
        "Ann@Example.com", PASSWORD, client_ip="10.0.0.1", user_agent="pytest"
    )
    assert result.user.id == str(user.id)
    assert result.user.roles == ["Sales User"]
    assert auth.tokens.decode(result.token.access_token) == result.user
    session = await auth.sessions.get(result.session_token)
    assert session is not None
    assert session.id == result.session.id
    assert session.user_id == str(user.id)
    assert result.csrf_token == session.csrf_token
    assert (session.ip_address, session.user_agent) == ("10.0.0.1", "pytest")


async def test_login_refuses_wrong_unknown_and_disabled(auth: AuthComponents) -> None:
    await auth.identity.create_user("ann@example.com", PASSWORD)
    disabled = await auth.identity.create_user("off@example.com", PASSWORD, enabled=False)
    for email, password in [
        ("ann@example.com", WRONG),
        ("nobody@example.com", PASSWORD),
        ("off@example.com", PASSWORD),
    ]:
        with pytest.raises(AuthenticationError):
            await auth.service.login(email, password, client_ip=None, user_agent=None)
    assert await auth.sessions.list_for_user(str(disabled.id)) == []


async def test_eleventh_attempt_on_an_account_is_limited(limited: AuthComponents) -> None:
    await limited.identity.create_user("ann@example.com", PASSWORD)
    # Ten failures from ten addresses: only the account's count reaches the limit.
    for n in range(10):
        with pytest.raises(AuthenticationError):
            await limited.service.login(
                "ann@example.com", WRONG, client_ip=f"10.0.0.{n}", user_agent=None
            )
    with pytest.raises(RateLimitedError) as info:
        # Checked before the password: even the right one is refused now.
        await limited.service.login(
            "ANN@example.com", PASSWORD, client_ip="10.0.1.1", user_agent=None
        )
    assert 1 <= info.value.retry_after <= 60
    assert info.value.code == "rate_limited"


async def test_eleventh_attempt_from_an_address_is_limited(limited: AuthComponents) -> None:
    await limited.identity.create_user("ann@example.com", PASSWORD)
    for n in range(10):
        with pytest.raises(AuthenticationError):
            await limited.service.login(
                f"guess{n}@example.com", WRONG, client_ip="10.9.9.9", user_agent=None
            )
    with pytest.raises(RateLimitedError):
        await limited.service.login(
            "ann@example.com", PASSWORD, client_ip="10.9.9.9", user_agent=None
        )
    result = await limited.service.login(
        "ann@example.com", PASSWORD, client_ip="10.9.9.10", user_agent=None
    )
    assert result.user.email == "ann@example.com"


async def test_a_success_resets_the_account_count(limited: AuthComponents) -> None:
    await limited.identity.create_user("ann@example.com", PASSWORD)
    for n in range(9):
        with pytest.raises(AuthenticationError):
            await limited.service.login(
                "ann@example.com", WRONG, client_ip=f"10.0.0.{n}", user_agent=None
            )
    await limited.service.login("ann@example.com", PASSWORD, client_ip="10.0.1.1", user_agent=None)
    # Without the reset the 2nd of these would already be the 11th failure.
    for n in range(10):
        with pytest.raises(AuthenticationError):
            await limited.service.login(
                "ann@example.com", WRONG, client_ip=f"10.0.2.{n}", user_agent=None
            )
    with pytest.raises(RateLimitedError):
        await limited.service.login("ann@example.com", WRONG, client_ip="10.0.3.1", user_agent=None)


async def test_logout_ends_the_cookie_session(auth: AuthComponents, settings: Settings) -> None:
    await auth.identity.create_user("ann@example.com", PASSWORD)
    result = await auth.service.login("ann@example.com", PASSWORD, client_ip=None, user_agent=None)
    request = AuthRequest(cookies={settings.auth.session_cookie: result.session_token})
    authenticated = await auth.chain.authenticate(request)
    assert authenticated is not None
    assert authenticated.method == "session"
    assert await auth.service.logout(authenticated) is True
    with pytest.raises(AuthenticationError):
        await auth.chain.authenticate(request)
    assert await auth.service.logout(authenticated) is False
    jwt_caller = Authenticated(user=result.user, method="jwt")
    assert await auth.service.logout(jwt_caller) is False


async def test_sessions_are_listed_and_revoked_per_user(auth: AuthComponents) -> None:
    ann = await auth.identity.create_user("ann@example.com", PASSWORD)
    bob = await auth.identity.create_user("bob@example.com", PASSWORD)
    logins = [
        await auth.service.login("ann@example.com", PASSWORD, client_ip=None, user_agent=None)
        for _ in range(3)
    ]
    bobs = await auth.service.login("bob@example.com", PASSWORD, client_ip=None, user_agent=None)
    listed = await auth.service.list_sessions(str(ann.id))
    assert [s.id for s in listed] == [r.session.id for r in reversed(logins)]
    with pytest.raises(EntityNotFoundError):
        await auth.service.revoke_session(logins[0].session.id, user_id=str(bob.id))
    await auth.service.revoke_session(logins[0].session.id, user_id=str(ann.id))
    assert await auth.sessions.get(logins[0].session_token) is None
    ended = await auth.service.revoke_all_sessions(
        str(ann.id), except_session_id=logins[2].session.id
    )
    assert ended == 1
    assert [s.id for s in await auth.service.list_sessions(str(ann.id))] == [logins[2].session.id]
    assert await auth.sessions.get(bobs.session_token) is not None


async def test_api_keys_through_the_service(auth: AuthComponents) -> None:
    raw, key = await auth.service.create_api_key("user-ann", label="ci", scopes=["read"])
    assert [k.id for k in await auth.service.list_api_keys("user-ann")] == [key.id]
    with pytest.raises(EntityNotFoundError):
        await auth.service.revoke_api_key(key.id, user_id="user-bob")
    await auth.service.revoke_api_key(key.id, user_id="user-ann")
    assert await auth.api_keys.verify(raw) is None
    assert await auth.service.list_api_keys("user-ann") == []


async def test_build_auth_wires_the_chain_in_settings_order(
    auth_db: DatabaseRuntime, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, chain=["gateway", "api_key", "jwt"])
    components = build_auth(
        settings,
        repositories=auth_db.repositories,
        unit_of_work=auth_db.unit_of_work,
        password_hasher=fast_hasher(),
    )
    assert components.chain.names == ("gateway", "api_key", "jwt")
    assert isinstance(components.rate_limiter, InMemoryRateLimiter)
    await components.close()


async def test_build_auth_refuses_bad_configuration(
    auth_db: DatabaseRuntime, tmp_path: Path
) -> None:
    def build(settings: Settings) -> AuthComponents:
        return build_auth(
            settings, repositories=auth_db.repositories, unit_of_work=auth_db.unit_of_work
        )

    production = Settings(environment="production", project_root=str(tmp_path))
    with pytest.raises(ConfigurationError, match="secret_key"):
        build(production)
    with pytest.raises(ConfigurationError, match="oauth"):
        build(make_settings(tmp_path, chain=["session", "oauth"]))
    with pytest.raises(ConfigurationError, match="trusted_ips"):
        build(make_settings(tmp_path, gateway={"trusted_ips": ["not-an-ip"]}))


async def test_build_auth_uses_redis_when_configured(
    auth_db: DatabaseRuntime, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path).model_copy(update={"redis_url": REDIS_URL})
    components = build_auth(
        settings, repositories=auth_db.repositories, unit_of_work=auth_db.unit_of_work
    )
    try:
        assert isinstance(components.rate_limiter, RedisRateLimiter)
    finally:
        await components.close()
