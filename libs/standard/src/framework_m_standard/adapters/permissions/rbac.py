"""``RbacPermissionAdapter``: roles from ``Meta.permissions`` and CustomPermission rules,
API key scopes, and row-level security (owner / team / custom field, widened by shares).

Pseudo-roles: ``All`` is every signed-in user, ``Guest`` everybody, signed in or not.
System users may do everything; so may administrators while ``admin_bypass`` is on. An
action no role is given is for administrators only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from framework_m_core.domain.meta import DocTypeMeta
from framework_m_core.interfaces.auth_context import SYSTEM_ROLE, UserContext
from framework_m_core.interfaces.permission import (
    DecisionSource,
    PermissionAction,
    PolicyEvaluateRequest,
    PolicyEvaluateResult,
)
from framework_m_core.interfaces.repository import Condition, FilterGroup, FilterSpec, SharedWith
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import PermissionSettings
from framework_m_standard.adapters.permissions.custom_rules import CustomPermissionRules
from framework_m_standard.adapters.permissions.shares import ShareLookup, share_allows

ALL_ROLE = "All"
GUEST_ROLE = "Guest"
GUEST_USER_ID = "guest"
_MAX_DECISIONS = 10_000


def scope_covers(scopes: Sequence[str], doctype: str, action: str) -> bool:
    """Whether API key scopes allow ``action`` on ``doctype``.

    ``read`` (any DocType), ``Invoice:read``, ``*:read``, ``Invoice:*`` and ``*`` are understood;
    each action is its own scope (``write`` does not imply ``create``).
    """
    accepted = {"*", "*:*", action, f"*:{action}", f"{doctype}:{action}", f"{doctype}:*"}
    return any(scope in accepted for scope in scopes)


@dataclass(frozen=True)
class _Principal:
    id: str
    roles: frozenset[str]
    is_system: bool
    is_guest: bool
    scopes: tuple[str, ...] | None

    @classmethod
    def of(cls, request: PolicyEvaluateRequest) -> _Principal:
        attributes = request.principal_attributes
        raw_roles = attributes.get("roles")
        roles = frozenset(role for role in _as_list(raw_roles) if isinstance(role, str))
        raw_scopes = attributes.get("scopes")
        scopes = (
            tuple(scope for scope in raw_scopes if isinstance(scope, str))
            if isinstance(raw_scopes, list | tuple)
            else None
        )
        return cls(
            id=request.principal,
            roles=roles,
            is_system=attributes.get("is_system_user") is True or SYSTEM_ROLE in roles,
            is_guest=request.principal == GUEST_USER_ID or GUEST_ROLE in roles,
            scopes=scopes,
        )

    @property
    def effective_roles(self) -> frozenset[str]:
        """The roles a permission entry is matched against, pseudo-roles included."""
        return self.roles | ({GUEST_ROLE} if self.is_guest else {GUEST_ROLE, ALL_ROLE})


class RbacPermissionAdapter:
    """Role-based permissions with row-level security; the default ``PermissionProtocol``."""

    def __init__(
        self,
        registry: MetaRegistry,
        settings: PermissionSettings,
        *,
        rules: CustomPermissionRules | None = None,
        shares: ShareLookup | None = None,
    ) -> None:
        """``rules`` None: no CustomPermission rules; ``shares`` None: shares are not consulted."""
        self._registry = registry
        self._settings = settings
        self._rules = rules
        self._shares = shares
        # Role decisions by (DocType, action, principal), valid for one snapshot of the rules.
        self._decisions: dict[tuple[Any, ...], bool] = {}
        self._decided_under: object = None

    def invalidate_rules(self) -> None:
        """Re-read CustomPermission rules and shares at the next check (call after changing one)."""
        if self._rules is not None:
            self._rules.invalidate()
        if self._shares is not None:
            self._shares.invalidate()

    async def aclose(self) -> None:
        """Nothing to release; present so every permission adapter can be closed alike."""

    # ------------------------------------------------------------ PermissionProtocol
    async def evaluate(self, request: PolicyEvaluateRequest) -> PolicyEvaluateResult:
        """Decide from the roles, scopes and system flag carried in the request."""
        meta = self._meta(request.resource)
        return await self._decide(_Principal.of(request), meta, request.action)

    async def has_permission(
        self,
        user: UserContext,
        doctype: str,
        action: PermissionAction,
        doc: Any | None = None,
    ) -> bool:
        """The role check, and with ``doc`` (a document or a mapping) its row-level rule."""
        if doc is None:
            return await self._role_allows(user, doctype, action)
        meta = self._meta(doctype)
        principal = _Principal.of(PolicyEvaluateRequest.for_user(user, doctype, action))
        decision = await self._decide(principal, meta, action)
        if not decision.authorized:
            return False
        if meta.rls_field is None or self._unrestricted(principal):
            return True
        value = _value(doc, meta.rls_field)
        if _row_matches(user, principal, meta.rls_field, value, action):
            return True
        return await self._shared(principal, meta.name, _document_id(doc), action)

    async def get_permitted_filters(
        self, user: UserContext, doctype: str, action: PermissionAction = "read"
    ) -> list[Condition]:
        """``[FilterGroup(rls rule OR id in shared ids)]``; ``[]`` when rows are not restricted."""
        meta = self._meta(doctype)
        principal = _Principal.of(PolicyEvaluateRequest.for_user(user, doctype, action))
        if meta.rls_field is None or self._unrestricted(principal):
            return []
        alternatives: list[tuple[FilterSpec | SharedWith, ...]] = []
        own = None if principal.is_guest else _row_condition(user, meta.rls_field)
        if own is not None:
            alternatives.append((own,))
        if self._shares is not None and not principal.is_guest:
            shared = await self._shares.condition(user.id, meta.name, action, bind=meta.bind)
            if shared is not None:
                alternatives.append((shared,))
        return [FilterGroup(any_of=tuple(alternatives))]

    # ------------------------------------------------------------ decisions
    async def _role_allows(self, user: UserContext, doctype: str, action: PermissionAction) -> bool:
        """The role check alone, remembered while the CustomPermission rules stay the same."""
        rules = await self._rules.snapshot() if self._rules is not None else None
        if rules is not self._decided_under:
            self._decisions.clear()
            self._decided_under = rules
        extra = user.attributes.get("roles")
        scopes = user.attributes.get("scopes")
        key = (
            doctype,
            action,
            user.id == GUEST_USER_ID,
            user.is_system_user,
            frozenset(user.roles),
            tuple(map(str, extra)) if isinstance(extra, list | tuple | set | frozenset) else None,
            tuple(map(str, scopes)) if isinstance(scopes, list | tuple) else None,
        )
        known = self._decisions.get(key)
        if known is None:
            principal = _Principal.of(PolicyEvaluateRequest.for_user(user, doctype, action))
            known = (await self._decide(principal, self._meta(doctype), action)).authorized
            if len(self._decisions) >= _MAX_DECISIONS:
                self._decisions.clear()
            self._decisions[key] = known
        return known

    def _meta(self, doctype: str) -> DocTypeMeta:
        return self._registry.get_doctype(doctype).get_meta()

    def _unrestricted(self, principal: _Principal) -> bool:
        if principal.is_system:
            return True
        return self._settings.admin_bypass and not principal.roles.isdisjoint(
            self._settings.admin_roles
        )

    async def _decide(
        self, principal: _Principal, meta: DocTypeMeta, action: PermissionAction
    ) -> PolicyEvaluateResult:
        doctype = meta.name
        if principal.scopes is not None and not scope_covers(principal.scopes, doctype, action):
            return _result(False, f"API key scopes do not cover {doctype}:{action}")
        if self._unrestricted(principal):
            return _result(True, "system user" if principal.is_system else "administrator")
        declared = set(meta.permissions.get(action, ()))
        grants = await self._rules.grants(doctype, action) if self._rules is not None else set()
        revokes = await self._rules.revokes(doctype, action) if self._rules is not None else set()
        held = principal.effective_roles
        granting = held & ((declared | grants) - revokes)
        if granting:
            by_rule = not held & (declared - revokes)
            return _result(
                True,
                f"role {min(granting)!r} may {action} {doctype}",
                custom=by_rule,
            )
        if held & (declared | grants):
            return _result(
                False,
                f"CustomPermission revokes {action} on {doctype} for the user's roles",
                custom=True,
            )
        if not declared | grants:
            return _result(False, f"no role may {action} {doctype}; administrators only")
        return _result(False, f"none of the user's roles may {action} {doctype}")

    async def _shared(
        self, principal: _Principal, doctype: str, document_id: UUID | None, action: str
    ) -> bool:
        if self._shares is None or principal.is_guest or document_id is None:
            return False
        share = await self._shares.share_of(principal.id, doctype, document_id)
        return share is not None and share_allows(share, action)


def _result(authorized: bool, reason: str, *, custom: bool = False) -> PolicyEvaluateResult:
    return PolicyEvaluateResult(
        authorized=authorized,
        decision_source=DecisionSource.CUSTOM if custom else DecisionSource.RBAC,
        reason=reason,
    )


# ---------------------------------------------------------------- row-level security
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [item for item in value if item is not None]
    return [value]


def _allowed_values(user: UserContext, field: str) -> list[Any]:
    """The values of ``field`` a user's rows may hold, for ``team`` and custom fields."""
    if field == "team":
        return list(user.teams)
    return _as_list(user.attributes.get(field))


def _row_condition(user: UserContext, field: str) -> FilterSpec | None:
    """The condition selecting the user's own rows; None when they own none."""
    if field == "owner":
        return FilterSpec(field="owner", value=user.id)
    values = _allowed_values(user, field)
    if not values:
        return None
    if len(values) == 1:
        return FilterSpec(field=field, value=values[0])
    return FilterSpec(field=field, operator="in", value=values)


def _row_matches(
    user: UserContext, principal: _Principal, field: str, value: Any, action: str
) -> bool:
    if principal.is_guest:
        return False
    if field == "owner":
        # A document being created gets its owner on save.
        return _same(value, user.id) or (action == "create" and value is None)
    return value is not None and any(
        _same(value, allowed) for allowed in _allowed_values(user, field)
    )


def _same(a: Any, b: Any) -> bool:
    # Documents hold typed values (UUIDs, ints); attributes often hold their strings.
    return bool(a == b) or str(a) == str(b)


def _value(doc: Any, field: str) -> Any:
    return doc.get(field) if isinstance(doc, Mapping) else getattr(doc, field, None)


def _document_id(doc: Any) -> UUID | None:
    value = _value(doc, "id")
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value)) if value is not None else None
    except ValueError:
        return None
