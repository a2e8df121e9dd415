"""Per-request authentication, CSRF and tenant: runs before the body is even parsed.

Route handlers say what they need in ``opt["auth"]``: ``required`` (the default),
``optional`` (guests get the Guest role) or ``none`` (health checks). The result lands on
``request.state.actor``.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request

from framework_m_core.exceptions import AuthenticationError, CsrfError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.authentication import Authenticated, AuthRequest
from framework_m_core.services.actor import Actor
from framework_m_standard.adapters.permissions.tenancy import resolve_tenant
from framework_m_standard.adapters.web.runtime import get_runtime

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
GUEST = UserContext(id="guest", email="guest@localhost", name="Guest", roles=["Guest"])


def auth_request(request: Request[Any, Any, Any]) -> AuthRequest:
    client = request.client
    return AuthRequest(
        method=request.method,
        path=request.url.path,
        headers={k.lower(): v for k, v in request.headers.items()},
        cookies=dict(request.cookies),
        client_ip=client.host if client is not None else None,
    )


async def authenticate_request(request: Request[Any, Any, Any]) -> None:
    """The ``before_request`` hook of the API: who is calling, and may they do it this way."""
    mode = request.route_handler.opt.get("auth", "required")
    if mode == "none":
        return
    runtime = get_runtime(request)
    credentials = auth_request(request)
    authenticated: Authenticated | None = await runtime.auth.chain.authenticate(credentials)
    if authenticated is None:
        if mode == "required":
            raise AuthenticationError("Authentication required")
        request.state.actor = Actor(user=GUEST)
        request.state.authenticated = None
        return
    if (
        authenticated.method == "session"
        and request.method not in SAFE_METHODS
        and not request.route_handler.opt.get("csrf_exempt", False)
    ):
        token = request.headers.get(runtime.settings.auth.csrf_header, "")
        expected = authenticated.csrf_token or ""
        if not token or not expected or not hmac.compare_digest(token, expected):
            raise CsrfError(
                f"Missing or wrong {runtime.settings.auth.csrf_header} header for a cookie session"
            )
    tenant = resolve_tenant(runtime.settings, credentials.headers, authenticated.user)
    multi = runtime.settings.tenancy.mode == "multi"
    request.state.actor = Actor(
        user=authenticated.user, tenant=tenant if multi else None, scopes=authenticated.scopes
    )
    request.state.authenticated = authenticated


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    actor = getattr(request.state, "actor", None)
    if not isinstance(actor, Actor):
        raise AuthenticationError("Authentication required")
    return actor
