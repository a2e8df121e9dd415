"""Who of the subscribers may read a document, decided the way ``GET /api/v1/{doctype}/{id}`` does.

No second permission system: for each subscriber the rule is what ``DocumentService``
applies to a read — ``authorize(actor, doctype, "read")`` (role permission, custom rules,
API key scopes), ``row_filters(actor, doctype, "read")`` (row-level security, shares, tenant)
and ``hidden_fields`` — computed once per distinct subscriber and cached for
``realtime.permission_cache_ttl`` seconds. The row filters are then evaluated in memory
against the event's document data (for a deleted document: its data before the delete), so
an event costs no database round trip per subscriber. ``SharedWith`` conditions are answered
from one query per event for the document's shares, made only when some subscriber needs it.
A condition the evaluator does not know falls back to the real read (``get_record``) for
that subscriber, or to "no" for a deleted document: unknown means closed, never open.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from framework_m_core.doctypes.document_share import DocumentShare
from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.exceptions import FrameworkError, PermissionDeniedError
from framework_m_core.interfaces.repository import Condition, FilterGroup, FilterSpec, SharedWith
from framework_m_core.services.actor import Actor
from framework_m_core.services.documents import DocumentService
from framework_m_standard.adapters.permissions import share_allows
from framework_m_standard.adapters.realtime.connections import Connection

logger = logging.getLogger(__name__)

_MAX_RULES = 10_000
_MAX_SHARES = 1000


@dataclass(frozen=True, slots=True)
class ReadRule:
    """What one subscriber may read of one DocType."""

    allowed: bool
    conditions: tuple[Condition, ...]
    hidden: frozenset[str]
    expires: float


class _Unknown(Exception):
    """A condition the in-memory evaluator cannot decide."""


class _Shares:
    """The shares of one document, read at most once per event."""

    def __init__(self, documents: DocumentService, doctype: str, document_id: str) -> None:
        self._documents = documents
        self._doctype = doctype
        self._document_id = document_id
        self._by_user: dict[str, DocumentShare] | None = None

    async def allows(self, user_id: str, action: str) -> bool:
        if self._by_user is None:
            self._by_user = await self._load()
        share = self._by_user.get(user_id)
        return share is not None and share_allows(share, action)

    async def _load(self) -> dict[str, DocumentShare]:
        try:
            document_id = UUID(self._document_id)
        except ValueError:
            return {}
        filters: list[Condition] = [
            FilterSpec(field="doctype", value=self._doctype),
            FilterSpec(field="document_id", value=document_id),
        ]
        repo = self._documents.repositories.get(DocumentShare)
        async with self._documents.unit_of_work(DocumentShare.get_meta().bind) as uow:
            page = await repo.list(uow.session, filters, limit=_MAX_SHARES, with_total=False)
        return {share.user_id: share for share in page.items}


class ReadAccess:
    """Per-subscriber read decisions for document events, with cached rules."""

    def __init__(
        self,
        documents: DocumentService,
        *,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.documents = documents
        self._ttl = ttl
        self._clock = clock
        self._rules: dict[tuple[Hashable, str], ReadRule] = {}

    def invalidate(self) -> None:
        """Forget every cached rule (a share or a custom permission changed)."""
        self._rules.clear()

    async def rule(self, actor: Actor, key: Hashable, doctype: type[BaseDocType]) -> ReadRule:
        """The subscriber's read rule for the DocType, from the cache while it is fresh."""
        name = doctype.get_doctype_name()
        now = self._clock()
        cached = self._rules.get((key, name))
        if cached is not None and cached.expires > now:
            return cached
        documents = self.documents
        hidden = documents.hidden_fields(actor, doctype)
        try:
            await documents.authorize(actor, doctype, "read")
            conditions = tuple(await documents.row_filters(actor, doctype, "read"))
            allowed = True
        except PermissionDeniedError:
            allowed, conditions = False, ()
        except FrameworkError as exc:
            # The permission service could not answer: no events rather than a leak.
            logger.warning("realtime: read rule of %s on %s failed: %s", actor.user.id, name, exc)
            allowed, conditions = False, ()
        rule = ReadRule(
            allowed=allowed, conditions=conditions, hidden=hidden, expires=now + self._ttl
        )
        if len(self._rules) >= _MAX_RULES:
            self._rules.clear()
        self._rules[(key, name)] = rule
        return rule

    async def readers(
        self,
        doctype: type[BaseDocType],
        document_id: str,
        data: Mapping[str, Any],
        connections: Iterable[Connection],
        *,
        deleted: bool,
    ) -> dict[frozenset[str], list[Connection]]:
        """The connections that may read the document, grouped by the fields hidden from them."""
        groups: dict[Hashable, list[Connection]] = {}
        for connection in connections:
            groups.setdefault(connection.access_key, []).append(connection)
        shares = _Shares(self.documents, doctype.get_doctype_name(), document_id)
        allowed: dict[frozenset[str], list[Connection]] = {}
        for key, members in groups.items():
            actor = members[0].actor
            rule = await self.rule(actor, key, doctype)
            if rule.allowed and await self._row_allowed(
                actor, rule, doctype, document_id, data, shares, deleted=deleted
            ):
                allowed.setdefault(rule.hidden, []).extend(members)
        return allowed

    async def _row_allowed(
        self,
        actor: Actor,
        rule: ReadRule,
        doctype: type[BaseDocType],
        document_id: str,
        data: Mapping[str, Any],
        shares: _Shares,
        *,
        deleted: bool,
    ) -> bool:
        try:
            for condition in rule.conditions:
                if not await _matches(condition, data, shares):
                    return False
            return True
        except _Unknown:
            if deleted:
                return False
            return await self._read_through(actor, doctype, document_id)

    async def _read_through(
        self, actor: Actor, doctype: type[BaseDocType], document_id: str
    ) -> bool:
        """The real read, for conditions only the database can decide."""
        try:
            await self.documents.get_record(actor, doctype, UUID(document_id), fields=["id"])
        except (FrameworkError, ValueError):
            return False
        return True


async def _matches(condition: Condition, data: Mapping[str, Any], shares: _Shares) -> bool:
    if isinstance(condition, FilterSpec):
        return _spec_matches(condition, data)
    if isinstance(condition, FilterGroup):
        for alternative in condition.any_of:
            if await _all_match(alternative, data, shares):
                return True
        return False
    raise _Unknown(condition)


async def _all_match(
    conditions: Iterable[FilterSpec | SharedWith], data: Mapping[str, Any], shares: _Shares
) -> bool:
    for condition in conditions:
        if isinstance(condition, SharedWith):
            if not await shares.allows(condition.user_id, condition.action):
                return False
        elif not _spec_matches(condition, data):
            return False
    return True


def _spec_matches(spec: FilterSpec, data: Mapping[str, Any]) -> bool:
    name = "_version" if spec.field == "version" else spec.field
    if name not in data:
        raise _Unknown(spec)
    value = data[name]
    operator, expected = spec.operator, spec.value
    if operator == "=":
        return value is None if expected is None else _same(value, expected)
    if operator == "!=":
        return value is not None if expected is None else not _same(value, expected)
    if operator in ("in", "not in") and isinstance(expected, list | tuple | set | frozenset):
        found = any(_same(value, item) for item in expected)
        return found if operator == "in" else not found
    if operator == "is" and expected in ("set", "not set"):
        return bool((value is not None) == (expected == "set"))
    raise _Unknown(spec)


def _same(a: Any, b: Any) -> bool:
    # Event data is JSON (ids and dates as strings); conditions hold typed values.
    if a is None or b is None:
        return a is b
    return bool(a == b) or str(a) == str(b)
