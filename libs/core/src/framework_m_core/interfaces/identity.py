"""Identity port: where users live and how they prove who they are.

Local mode keeps users in the database (password hashes, JWTs); federated mode trusts a
gateway or an OIDC provider and stores no PII. Both answer the same questions here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from framework_m_core.interfaces.auth_context import UserContext


class Token(BaseModel):
    """Credentials issued after a successful authentication."""

    model_config = ConfigDict(frozen=True)

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime | None = None
    refresh_token: str | None = None


class PasswordCredentials(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["password"] = "password"
    username: str
    password: SecretStr


class ApiKeyCredentials(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["api_key"] = "api_key"
    api_key: SecretStr


class MagicLinkCredentials(BaseModel):
    """The signed one-time token from a passwordless login link."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["magic_link"] = "magic_link"
    token: SecretStr


class OAuthCredentials(BaseModel):
    """The authorization code an OAuth2/OIDC provider sent back to the callback."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["oauth"] = "oauth"
    provider: str
    code: str
    redirect_uri: str | None = None


Credentials = Annotated[
    PasswordCredentials | ApiKeyCredentials | MagicLinkCredentials | OAuthCredentials,
    Field(discriminator="kind"),
]


class IdentityProtocol(Protocol):
    async def get_user(self, user_id: str) -> UserContext | None:
        """The user with this id, or None."""
        ...

    async def get_user_by_email(self, email: str) -> UserContext | None:
        """The user with this e-mail address, or None."""
        ...

    async def authenticate(self, credentials: Credentials) -> Token:
        """Check the credentials and issue a token; raises ``AuthenticationError`` if wrong."""
        ...

    async def validate_token(self, token: str) -> UserContext | None:
        """The user a token was issued to, or None when it is invalid or expired."""
        ...

    async def get_attributes(self, user: UserContext) -> dict[str, Any]:
        """The user's ABAC attributes (roles, department, level, ...) for policy decisions."""
        ...
