"""``/api/v1/auth``: login, logout, the current user, sessions and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody, PathParameter
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from framework_m_core.exceptions import AuthenticationError
from framework_m_core.interfaces.authentication import Authenticated
from framework_m_core.settings import Settings
from framework_m_standard.adapters.web.errors import ERROR_RESPONSES
from framework_m_standard.adapters.web.responses import json_response
from framework_m_standard.adapters.web.runtime import get_runtime
from framework_m_standard.adapters.web.security import actor_of

# Text that a database can store: PostgreSQL refuses NUL characters.
NO_NUL = r"^[^\x00]*$"


def _errors(*codes: int) -> dict[int, Any]:
    return {code: ERROR_RESPONSES[code] for code in (401, 403, 429, *codes)}


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(
        min_length=1,
        max_length=254,
        pattern=NO_NUL,
        validation_alias=AliasChoices("email", "username"),
    )
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    id: str
    email: str
    name: str | None = None
    roles: list[str]
    teams: list[str]
    tenants: list[str]
    attributes: dict[str, Any]
    auth_method: str | None = None


class LoginResponse(BaseModel):
    user: Me
    access_token: str
    token_type: str
    expires_at: datetime | None = None
    csrf_token: str


class SessionRead(BaseModel):
    id: UUID
    creation: datetime
    expires_at: datetime
    ip_address: str | None = None
    user_agent: str | None = None
    last_seen_at: datetime | None = None
    current: bool


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(default="", max_length=140, pattern=NO_NUL)
    scopes: list[Annotated[str, Field(pattern=NO_NUL)]] = Field(default_factory=list, max_length=50)
    expires_at: datetime | None = None


class ApiKeyRead(BaseModel):
    id: UUID
    label: str
    scopes: list[str]
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    creation: datetime


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret key; shown once, store it now")


class Revoked(BaseModel):
    count: int


def _me(authenticated: Authenticated | None, request: Request[Any, Any, Any]) -> dict[str, Any]:
    user = actor_of(request).user
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": list(user.roles),
        "teams": list(user.teams),
        "tenants": list(user.tenants),
        "attributes": {k: v for k, v in user.attributes.items() if k != "scopes"},
        "auth_method": authenticated.method if authenticated is not None else None,
    }


def _cookies(settings: Settings, session_token: str, csrf_token: str) -> list[Cookie]:
    auth, secure = settings.auth, settings.cookies_secure
    return [
        Cookie(
            key=auth.session_cookie,
            value=session_token,
            max_age=auth.session_ttl,
            path="/",
            httponly=True,
            secure=secure,
            samesite="lax",
        ),
        # Readable by the page's script, which echoes it in the CSRF header.
        Cookie(
            key=auth.csrf_cookie,
            value=csrf_token,
            max_age=auth.session_ttl,
            path="/",
            httponly=False,
            secure=secure,
            samesite="lax",
        ),
    ]


def _expired_cookies(settings: Settings) -> list[Cookie]:
    return [
        Cookie(
            key=name, value="", max_age=0, path="/", secure=settings.cookies_secure, samesite="lax"
        )
        for name in (settings.auth.session_cookie, settings.auth.csrf_cookie)
    ]


def _authenticated(request: Request[Any, Any, Any]) -> Authenticated:
    authenticated = getattr(request.state, "authenticated", None)
    if not isinstance(authenticated, Authenticated):
        raise AuthenticationError("Authentication required")
    return authenticated


@post(
    "/api/v1/auth/login",
    opt={"auth": "none"},
    tags=["auth"],
    operation_id="login",
    status_code=200,
    responses=_errors(400, 413, 422),
    security=[],
)
async def login(request: Request[Any, Any, Any], data: JSONBody[LoginRequest]) -> LoginResponse:
    """Check e-mail and password; open a cookie session and issue a JWT.

    Too many failures for the account or the address within the window get 429.
    """
    runtime = get_runtime(request)
    client = request.client
    result = await runtime.auth.service.login(
        data.email,
        data.password,
        client_ip=client.host if client is not None else None,
        user_agent=request.headers.get("user-agent"),
    )
    user = result.user
    body = {
        "user": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "roles": list(user.roles),
            "teams": list(user.teams),
            "tenants": list(user.tenants),
            "attributes": dict(user.attributes),
            "auth_method": "session",
        },
        "access_token": result.token.access_token,
        "token_type": result.token.token_type,
        "expires_at": result.token.expires_at.isoformat() if result.token.expires_at else None,
        "csrf_token": result.csrf_token,
    }
    cookies = _cookies(runtime.settings, result.session_token, result.csrf_token)
    return json_response(body, cookies=cookies)  # type: ignore[return-value]


@post(
    "/api/v1/auth/logout",
    tags=["auth"],
    operation_id="logout",
    status_code=204,
    responses=_errors(400),
)
async def logout(request: Request[Any, Any, Any]) -> None:
    """End the cookie session of this request (a JWT simply expires)."""
    runtime = get_runtime(request)
    await runtime.auth.service.logout(_authenticated(request))
    # Annotated ``None`` so that the schema documents a 204 without a body, as sent.
    return Response(  # type: ignore[return-value]
        content=None, status_code=204, cookies=_expired_cookies(runtime.settings)
    )


@get("/api/v1/auth/me", tags=["auth"], operation_id="me", responses=_errors())
async def me(request: Request[Any, Any, Any]) -> Me:
    """The signed-in user."""
    return json_response(_me(getattr(request.state, "authenticated", None), request))  # type: ignore[return-value]


@get("/api/v1/auth/sessions", tags=["auth"], operation_id="listSessions", responses=_errors())
async def list_sessions(request: Request[Any, Any, Any]) -> list[SessionRead]:
    """The signed-in user's live sessions."""
    runtime, authenticated = get_runtime(request), _authenticated(request)
    sessions = await runtime.auth.service.list_sessions(authenticated.user.id)
    current = authenticated.session_id
    return [
        SessionRead(
            id=s.id,
            creation=s.creation,
            expires_at=s.expires_at,
            ip_address=s.ip_address,
            user_agent=s.user_agent,
            last_seen_at=s.last_seen_at,
            current=current is not None and str(s.id) == str(current),
        )
        for s in sessions
    ]


@delete(
    "/api/v1/auth/sessions/{session_id:uuid}",
    tags=["auth"],
    operation_id="revokeSession",
    responses=_errors(400, 404),
)
async def revoke_session(
    request: Request[Any, Any, Any], session_id: Annotated[UUID, PathParameter()]
) -> None:
    """End one of the signed-in user's sessions."""
    runtime, authenticated = get_runtime(request), _authenticated(request)
    await runtime.auth.service.revoke_session(session_id, user_id=authenticated.user.id)


@delete(
    "/api/v1/auth/sessions",
    tags=["auth"],
    operation_id="revokeOtherSessions",
    status_code=200,
    responses=_errors(400),
)
async def revoke_sessions(request: Request[Any, Any, Any]) -> Revoked:
    """End every other session of the signed-in user."""
    runtime, authenticated = get_runtime(request), _authenticated(request)
    current = authenticated.session_id
    count = await runtime.auth.service.revoke_all_sessions(
        authenticated.user.id, except_session_id=UUID(str(current)) if current else None
    )
    return Revoked(count=count)


def _key_json(key: Any) -> dict[str, Any]:
    return ApiKeyRead.model_validate(key, from_attributes=True).model_dump(mode="json")


@post(
    "/api/v1/auth/api-keys",
    tags=["auth"],
    operation_id="createApiKey",
    responses=_errors(400, 413, 422),
)
async def create_api_key(
    request: Request[Any, Any, Any], data: JSONBody[ApiKeyCreate]
) -> ApiKeyCreated:
    """A new API key for the signed-in user; the secret is in this response only."""
    runtime, authenticated = get_runtime(request), _authenticated(request)
    raw, key = await runtime.auth.service.create_api_key(
        authenticated.user.id, label=data.label, scopes=data.scopes, expires_at=data.expires_at
    )
    return json_response({**_key_json(key), "key": raw}, status_code=201)  # type: ignore[return-value]


@get("/api/v1/auth/api-keys", tags=["auth"], operation_id="listApiKeys", responses=_errors())
async def list_api_keys(request: Request[Any, Any, Any]) -> list[ApiKeyRead]:
    """The signed-in user's API keys (never their secrets)."""
    runtime, authenticated = get_runtime(request), _authenticated(request)
    keys = await runtime.auth.service.list_api_keys(authenticated.user.id)
    return json_response([_key_json(k) for k in keys])  # type: ignore[return-value]


@delete(
    "/api/v1/auth/api-keys/{key_id:uuid}",
    tags=["auth"],
    operation_id="revokeApiKey",
    responses=_errors(400, 404),
)
async def revoke_api_key(
    request: Request[Any, Any, Any], key_id: Annotated[UUID, PathParameter()]
) -> None:
    """Revoke one of the signed-in user's API keys."""
    runtime, authenticated = get_runtime(request), _authenticated(request)
    await runtime.auth.service.revoke_api_key(key_id, user_id=authenticated.user.id)


AUTH_HANDLERS = [
    login,
    logout,
    me,
    list_sessions,
    revoke_session,
    revoke_sessions,
    create_api_key,
    list_api_keys,
    revoke_api_key,
]
