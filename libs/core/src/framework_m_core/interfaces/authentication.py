"""Authentication port: turn the credentials of a request into a ``UserContext``.

Strategies (session cookie, bearer JWT, API key, gateway headers, HTTP Basic) each recognise
their own credentials; an ordered chain asks them in turn and the first that recognises the
request decides. Strategies never see the web framework: they get an ``AuthRequest``.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from framework_m_core.interfaces.auth_context import UserContext

AuthMethod = Literal["session", "jwt", "api_key", "gateway", "basic", "system"]


class AuthRequest(BaseModel):
    """What authentication may look at: headers (lower-case names), cookies, client address."""

    model_config = ConfigDict(frozen=True)

    method: str = "GET"
    path: str = "/"
    headers: dict[str, str] = Field(default_factory=dict)
    cookies: dict[str, str] = Field(default_factory=dict)
    client_ip: str | None = None

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return self.headers.get(name.lower())


class Authenticated(BaseModel):
    """A recognised principal and how it proved itself.

    ``session_id`` and ``csrf_token`` are set for cookie sessions (unsafe methods must echo
    the token); ``scopes`` restrict an API key to some actions (None: no restriction).
    """

    model_config = ConfigDict(frozen=True)

    user: UserContext
    method: AuthMethod
    session_id: str | None = None
    csrf_token: str | None = None
    scopes: tuple[str, ...] | None = None


class AuthenticationProtocol(Protocol):
    name: str
    """The strategy's name in ``[auth] chain`` (``session``, ``jwt``, ``api_key``, ...)."""

    def supports(self, request: AuthRequest) -> bool:
        """Whether the request carries this strategy's kind of credentials."""
        ...

    async def authenticate(self, request: AuthRequest) -> Authenticated:
        """The principal behind the credentials; raises ``AuthenticationError`` if they are bad."""
        ...
