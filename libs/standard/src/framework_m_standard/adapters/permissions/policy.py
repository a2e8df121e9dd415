"""``PolicyPermissionAdapter``: ask an external decision service (Cedar, OPA) over HTTP.

The service gets ``POST url`` with an ``AuthorizationRequest`` and answers with an
``AuthorizationResponse``. When it cannot answer (unreachable, timeout, non-2xx, malformed
body) ``[permissions.policy] fallback`` decides: ``deny``, ``allow`` or ``rbac`` (ask the
fallback adapter). Row-level filters always come from the fallback adapter: a policy
service answers yes or no, it cannot write SQL conditions.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from pydantic import ValidationError as PydanticValidationError

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.exceptions import ConfigurationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.permission import (
    DecisionSource,
    PermissionAction,
    PermissionProtocol,
    PolicyEvaluateRequest,
    PolicyEvaluateResult,
)
from framework_m_core.interfaces.repository import Condition
from framework_m_core.settings import PolicySettings
from framework_m_standard.adapters.permissions.rbac import RbacPermissionAdapter

logger = logging.getLogger(__name__)


class AuthorizationRequest(BaseModel):
    """The JSON body sent to the policy service."""

    model_config = ConfigDict(frozen=True)

    principal: str
    action: str
    """``<DocType>:<action>``, e.g. ``Invoice:read``."""
    resource: str
    """``<DocType>:<document id>``, or ``<DocType>:*`` for a DocType-level question."""
    tenant_id: str | None = None
    principal_attributes: dict[str, Any] = Field(default_factory=dict)
    resource_attributes: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_evaluate(cls, request: PolicyEvaluateRequest) -> AuthorizationRequest:
        """The service's form of a ``PolicyEvaluateRequest``."""
        return cls(
            principal=request.principal,
            action=f"{request.resource}:{request.action}",
            resource=f"{request.resource}:{request.resource_id or '*'}",
            tenant_id=request.tenant_id,
            principal_attributes=request.principal_attributes,
            resource_attributes=request.resource_attributes,
            context=request.context,
        )


class AuthorizationResponse(BaseModel):
    """The service's answer; anything else is treated as a failure of the service."""

    model_config = ConfigDict(frozen=True)

    allowed: StrictBool
    reason: str | None = None
    policy_id: str | None = None

    def describe(self) -> str:
        """The reason with the deciding policy, for logs."""
        reason = self.reason or ("allowed" if self.allowed else "denied")
        return f"{reason} (policy {self.policy_id})" if self.policy_id else reason


class PolicyUnavailableError(Exception):
    """The policy service gave no usable answer; the configured fallback decides instead."""


class PolicyPermissionAdapter:
    """``PermissionProtocol`` backed by an external policy decision service."""

    def __init__(
        self,
        settings: PolicySettings,
        *,
        fallback: PermissionProtocol,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """``client`` None: the adapter makes its own and closes it in ``aclose()``."""
        if not settings.url:
            raise ConfigurationError(
                "The policy permission adapter needs [permissions.policy] url",
                setting="permissions.policy.url",
            )
        self._url = settings.url
        self._settings = settings
        self._fallback = fallback
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient()

    async def aclose(self) -> None:
        """Close the HTTP client if this adapter created it."""
        if self._owns_client:
            await self._client.aclose()

    def invalidate_rules(self) -> None:
        """Re-read the fallback's CustomPermission rules at its next check."""
        if isinstance(self._fallback, RbacPermissionAdapter):
            self._fallback.invalidate_rules()

    # ------------------------------------------------------------ PermissionProtocol
    async def evaluate(self, request: PolicyEvaluateRequest) -> PolicyEvaluateResult:
        """The service's decision, or the fallback's when the service cannot answer."""
        if request.principal_attributes.get("is_system_user") is True:
            return PolicyEvaluateResult(
                authorized=True, decision_source=DecisionSource.RBAC, reason="system user"
            )
        try:
            answer = await self.ask(AuthorizationRequest.from_evaluate(request))
        except PolicyUnavailableError as exc:
            mode = self._settings.fallback
            if mode == "rbac":
                result = await self._fallback.evaluate(request)
                return result.model_copy(update={"reason": f"{exc}; fallback: {result.reason}"})
            return PolicyEvaluateResult(
                authorized=mode == "allow",
                decision_source=DecisionSource.EXTERNAL,
                reason=f"{exc}; fallback: {mode}",
            )
        return PolicyEvaluateResult(
            authorized=answer.allowed,
            decision_source=DecisionSource.EXTERNAL,
            reason=answer.describe(),
        )

    async def has_permission(
        self,
        user: UserContext,
        doctype: str,
        action: PermissionAction,
        doc: Any | None = None,
    ) -> bool:
        """Ask the service about the DocType, or about ``doc`` with its fields as attributes."""
        if user.is_system_user:
            return True
        request = PolicyEvaluateRequest.for_user(
            user,
            doctype,
            action,
            resource_id=_document_id(doc),
            resource_attributes=_attributes(doc),
        )
        try:
            answer = await self.ask(AuthorizationRequest.from_evaluate(request))
        except PolicyUnavailableError:
            mode = self._settings.fallback
            if mode == "rbac":
                return await self._fallback.has_permission(user, doctype, action, doc)
            return mode == "allow"
        return answer.allowed

    async def get_permitted_filters(
        self, user: UserContext, doctype: str, action: PermissionAction = "read"
    ) -> list[Condition]:
        """The fallback adapter's row-level security conditions."""
        return await self._fallback.get_permitted_filters(user, doctype, action)

    # ------------------------------------------------------------ the service
    async def ask(self, request: AuthorizationRequest) -> AuthorizationResponse:
        """POST the request; raise ``PolicyUnavailableError`` when no usable answer comes back."""
        try:
            response = await self._client.post(
                self._url,
                content=request.model_dump_json(),
                headers={**self._settings.headers, "Content-Type": "application/json"},
                timeout=self._settings.timeout,
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self._unavailable(f"policy service unreachable: {type(exc).__name__}") from exc
        if not response.is_success:
            raise self._unavailable(f"policy service answered HTTP {response.status_code}")
        try:
            return AuthorizationResponse.model_validate_json(response.content)
        except PydanticValidationError as exc:
            raise self._unavailable("policy service answer is malformed") from exc

    def _unavailable(self, reason: str) -> PolicyUnavailableError:
        logger.warning(
            "%s; applying fallback %r", reason, self._settings.fallback, extra={"url": self._url}
        )
        return PolicyUnavailableError(reason)


def _document_id(doc: Any) -> str | None:
    if doc is None:
        return None
    value = doc.get("id") if isinstance(doc, Mapping) else getattr(doc, "id", None)
    return None if value is None else str(value)


def _attributes(doc: Any) -> dict[str, Any]:
    """The document's fields for the service; sensitive fields never leave the server."""
    if doc is None:
        return {}
    if isinstance(doc, BaseDocType):
        hidden = set(type(doc).get_meta().sensitive_fields)
        return doc.model_dump(mode="json", by_alias=True, exclude=hidden)
    if isinstance(doc, BaseModel):
        return doc.model_dump(mode="json")
    if isinstance(doc, Mapping):
        return {str(key): value for key, value in doc.items()}
    return {}
