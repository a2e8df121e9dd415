"""AuthChain: the order comes from settings; the first strategy that recognises a request decides."""

from __future__ import annotations

from pathlib import Path

import pytest
from auth_support import SECRET, make_settings

from framework_m_core.exceptions import AuthenticationError, ConfigurationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.authentication import AuthenticationProtocol, AuthRequest
from framework_m_core.settings import AuthSettings, GatewaySettings, Settings
from framework_m_standard.adapters.auth.chain import AuthChain, build_auth_chain
from framework_m_standard.adapters.auth.service import AuthComponents
from framework_m_standard.adapters.auth.strategies import BearerTokenAuth, GatewayHeaderAuth
from framework_m_standard.adapters.auth.tokens import JwtTokens

TOKENS = JwtTokens(SECRET, AuthSettings())
JWT_USER = UserContext(id="jwt-user", email="jwt@example.com")


def _strategies() -> dict[str, AuthenticationProtocol]:
    return {
        "jwt": BearerTokenAuth(tokens=TOKENS),
        "gateway": GatewayHeaderAuth(settings=GatewaySettings()),
    }


def _both(client_ip: str = "127.0.0.1") -> AuthRequest:
    """A request carrying a valid JWT and gateway headers."""
    token = TOKENS.issue(JWT_USER).access_token
    return AuthRequest(
        headers={"authorization": f"Bearer {token}", "x-user-id": "gateway-user"},
        client_ip=client_ip,
    )


def _chain(tmp_path: Path, names: list[str]) -> AuthChain:
    return build_auth_chain(make_settings(tmp_path, chain=names), strategies=_strategies())


async def test_order_comes_from_settings(tmp_path: Path) -> None:
    jwt_first = _chain(tmp_path, ["jwt", "gateway"])
    gateway_first = _chain(tmp_path, ["gateway", "jwt"])
    assert jwt_first.names == ("jwt", "gateway")
    assert gateway_first.names == ("gateway", "jwt")
    first = await jwt_first.authenticate(_both())
    second = await gateway_first.authenticate(_both())
    assert first is not None
    assert second is not None
    assert (first.method, first.user.id) == ("jwt", "jwt-user")
    assert (second.method, second.user.id) == ("gateway", "gateway-user")


async def test_strategies_left_out_of_the_chain_are_never_asked(tmp_path: Path) -> None:
    only_jwt = _chain(tmp_path, ["jwt"])
    gateway_only_request = AuthRequest(headers={"x-user-id": "g"}, client_ip="127.0.0.1")
    assert await only_jwt.authenticate(gateway_only_request) is None


async def test_the_first_supporting_strategy_decides_and_its_error_propagates(
    tmp_path: Path,
) -> None:
    gateway_first = _chain(tmp_path, ["gateway", "jwt"])
    # The gateway refuses an untrusted address; the valid JWT behind it is not tried.
    with pytest.raises(AuthenticationError, match="address"):
        await gateway_first.authenticate(_both(client_ip="10.0.0.9"))
    bad_jwt = AuthRequest(
        headers={"authorization": "Bearer nope", "x-user-id": "g"}, client_ip="127.0.0.1"
    )
    with pytest.raises(AuthenticationError, match="Invalid access token"):
        await _chain(tmp_path, ["jwt", "gateway"]).authenticate(bad_jwt)


async def test_no_credentials_is_none(tmp_path: Path) -> None:
    chain = _chain(tmp_path, ["jwt", "gateway"])
    assert await chain.authenticate(AuthRequest()) is None
    assert await chain.authenticate(AuthRequest(headers={"authorization": "Digest x"})) is None
    assert await AuthChain([]).authenticate(_both()) is None


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["jwt", "oauth"], "unknown strategies \\['oauth'\\]"),
        (["session"], "unknown strategies \\['session'\\]"),
        (["jwt", "gateway", "jwt"], "more than once"),
    ],
)
def test_bad_chain_settings_are_configuration_errors(
    tmp_path: Path, names: list[str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _chain(tmp_path, names)


async def test_build_auth_asks_in_the_configured_order(
    auth: AuthComponents, settings: Settings
) -> None:
    assert auth.chain.names == tuple(settings.auth.chain)
    assert "gateway" not in auth.chain.names
    user = await auth.identity.create_user("ann@example.com", "correct horse")
    login = await auth.service.login(
        "ann@example.com", "correct horse", client_ip=None, user_agent=None
    )
    raw_key, _ = await auth.api_keys.create(str(user.id))
    # A cookie, a token and a key at once: the first of them in the chain decides.
    request = AuthRequest(
        cookies={settings.auth.session_cookie: login.session_token},
        headers={"authorization": f"Bearer {login.token.access_token}", "x-api-key": raw_key},
    )
    sent = ["session", "jwt", "api_key"]
    authenticated = await auth.chain.authenticate(request)
    assert authenticated is not None
    assert authenticated.method == next(name for name in auth.chain.names if name in sent)
    # Gateway headers are ignored unless "gateway" is in the chain.
    gateway = AuthRequest(headers={"x-user-id": "g"}, client_ip="127.0.0.1")
    assert await auth.chain.authenticate(gateway) is None
