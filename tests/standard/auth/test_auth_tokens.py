"""JwtTokens: issue and decode; expired, forged, foreign, alg-none and malformed tokens refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from auth_support import SECRET

from framework_m_core.exceptions import AuthenticationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.settings import AuthSettings
from framework_m_standard.adapters.auth.tokens import JwtTokens

USER = UserContext(
    id="0190a8f2-0000-7000-8000-000000000001",
    email="ann@example.com",
    name="Ann",
    roles=["Sales User"],
    teams=["north"],
    tenants=["acme"],
    attributes={"department": "sales", "level": 3},
)


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": USER.id,
        "email": USER.email,
        "name": USER.name,
        "roles": USER.roles,
        "iss": "framework-m",
        "iat": now,
        "exp": now + 60,
        "jti": "x",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_issue_then_decode_round_trips_the_user() -> None:
    tokens = JwtTokens(SECRET, AuthSettings(access_token_ttl=120))
    token = tokens.issue(USER)
    assert token.token_type == "bearer"
    assert token.expires_at is not None
    assert 100 <= (token.expires_at - datetime.now(UTC)).total_seconds() <= 120
    assert tokens.decode(token.access_token) == USER
    claims = jwt.decode(token.access_token, SECRET, algorithms=["HS256"], audience=None)
    assert {"sub", "email", "name", "roles", "teams", "tenants", "iss", "iat", "exp", "jti"} <= set(
        claims
    )
    assert claims["exp"] - claims["iat"] == 120
    assert "aud" not in claims
    assert tokens.issue(USER).access_token != token.access_token  # a fresh jti each time


def test_audience_is_set_and_checked_when_configured() -> None:
    tokens = JwtTokens(SECRET, AuthSettings(jwt_audience="desk"))
    token = tokens.issue(USER).access_token
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience="desk")["aud"] == "desk"
    assert tokens.decode(token).id == USER.id
    other = JwtTokens(SECRET, AuthSettings(jwt_audience="mobile"))
    with pytest.raises(AuthenticationError):
        other.decode(token)
    without_aud = jwt.encode(_claims(), SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationError):
        tokens.decode(without_aud)
    # A token meant for some audience is refused where none is configured.
    with pytest.raises(AuthenticationError):
        JwtTokens(SECRET, AuthSettings()).decode(token)


def test_expired_token_is_refused() -> None:
    tokens = JwtTokens(SECRET, AuthSettings())
    now = int(time.time())
    expired = jwt.encode(_claims(iat=now - 120, exp=now - 60), SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationError, match="expired"):
        tokens.decode(expired)
    assert tokens.decode(jwt.encode(_claims(), SECRET, algorithm="HS256")).id == USER.id


def test_wrong_signature_is_refused() -> None:
    token = JwtTokens("o" * 64, AuthSettings()).issue(USER).access_token
    with pytest.raises(AuthenticationError, match="Invalid access token"):
        JwtTokens(SECRET, AuthSettings()).decode(token)
    genuine = JwtTokens(SECRET, AuthSettings()).issue(USER).access_token
    header, payload, signature = genuine.split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b"Sales User", b"Super User")
    ).decode()
    with pytest.raises(AuthenticationError):
        JwtTokens(SECRET, AuthSettings()).decode(f"{header}.{forged_payload}.{signature}")


def test_wrong_issuer_is_refused() -> None:
    token = JwtTokens(SECRET, AuthSettings(jwt_issuer="someone-else")).issue(USER).access_token
    with pytest.raises(AuthenticationError, match="issuer"):
        JwtTokens(SECRET, AuthSettings()).decode(token)


def test_alg_none_and_other_algorithms_are_refused() -> None:
    tokens = JwtTokens(SECRET, AuthSettings())
    unsigned = jwt.encode(_claims(), None, algorithm="none")
    with pytest.raises(AuthenticationError):
        tokens.decode(unsigned)
    # Signed with the right key but another algorithm than the configured one.
    hs512 = jwt.encode(_claims(), SECRET, algorithm="HS512")
    with pytest.raises(AuthenticationError):
        tokens.decode(hs512)
    assert JwtTokens(SECRET, AuthSettings(jwt_algorithm="HS512")).decode(hs512).id == USER.id


@pytest.mark.parametrize("missing", ["sub", "email", "exp", "iat", "iss", "jti"])
def test_missing_claims_are_refused(missing: str) -> None:
    token = jwt.encode(_claims(**{missing: None}), SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationError):
        JwtTokens(SECRET, AuthSettings()).decode(token)


@pytest.mark.parametrize(
    "changes",
    [{"roles": "Sales User"}, {"roles": [1, 2]}, {"sub": 42}, {"attributes": ["x"]}],
)
def test_claims_of_the_wrong_type_are_refused(changes: dict[str, Any]) -> None:
    token = jwt.encode(_claims(**changes), SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationError, match="Invalid access token"):
        JwtTokens(SECRET, AuthSettings()).decode(token)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x", "e30.e30.", "😀.😀.😀"])
def test_malformed_tokens_are_refused(garbage: str) -> None:
    with pytest.raises(AuthenticationError):
        JwtTokens(SECRET, AuthSettings()).decode(garbage)


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = JwtTokens(SECRET, AuthSettings())
    now = int(time.time())
    token = jwt.encode(_claims(iat=now, exp=now + 60), SECRET, algorithm="HS256")
    first = tokens.decode(token)
    calls: list[str] = []
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: calls.append("decode"))
    again = tokens.decode(token)
    assert calls == []  # the signature is not checked twice
    assert again == first
    again.roles.append("Admin")  # a caller changing its copy changes nobody else's
    assert "Admin" not in tokens.decode(token).roles
    monkeypatch.setattr(time, "time", lambda: now + 61.0)
    with pytest.raises(AuthenticationError, match="expired"):
        tokens.decode(token)
