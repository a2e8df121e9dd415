"""``ShareLookup``: which documents were shared with a user, and how far.

Row-level security asks on every list whether the user has any shares of the DocType; the
answer is cached for ``ttl`` seconds. Only that yes/no is cached: the shares themselves are
read by a subquery of the same query, so a revoked share stops working at once, and a new
one may take up to ``ttl`` seconds to show in another process (at once in this one, which
calls ``invalidate()``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from framework_m_core.doctypes import DocumentShare
from framework_m_core.interfaces.repository import (
    Condition,
    FilterGroup,
    FilterSpec,
    OrderSpec,
    RecordReaderProtocol,
    RepositoryFactoryProtocol,
    SharedWith,
)
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol

_PAGE = 1000
_MAX_CACHED = 10_000
_ORDER = (OrderSpec(field="id"),)
_READ = FilterGroup(
    any_of=((FilterSpec(field="read", value=True),), (FilterSpec(field="write", value=True),))
)
_WRITE = FilterSpec(field="write", value=True)
_SHARE_CONDITION: dict[str, Condition] = {
    "read": _READ,
    "write": _WRITE,
    "delete": _WRITE,
    "submit": _WRITE,
    "cancel": _WRITE,
}
"""What a share must allow for each action; ``create`` and ``amend`` make new documents."""


def _share_filters(user_id: str, doctype: str, action: str) -> list[Condition] | None:
    """The shares of ``doctype`` documents with the user that allow ``action`` (None: none can)."""
    condition = _SHARE_CONDITION.get(action)
    if condition is None:
        return None
    return [
        FilterSpec(field="user_id", value=user_id),
        FilterSpec(field="doctype", value=doctype),
        condition,
    ]


def share_allows(share: DocumentShare, action: str) -> bool:
    """Whether this share lets its user do ``action`` on the document."""
    if action == "read":
        return share.read or share.write
    return action in _SHARE_CONDITION and share.write


class ShareLookup:
    """Reads DocumentShare rows for permission checks."""

    def __init__(
        self,
        repositories: RepositoryFactoryProtocol,
        unit_of_work: UnitOfWorkFactoryProtocol,
        *,
        ttl: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repositories = repositories
        self._unit_of_work = unit_of_work
        self._ttl = ttl
        self._clock = clock
        self._known: dict[tuple[str, str, str], tuple[bool, float]] = {}
        self._generation = 0

    def invalidate(self) -> None:
        """Forget what is cached; call after creating or removing a share."""
        self._known.clear()
        self._generation += 1

    async def condition(
        self, user_id: str, doctype: str, action: str, *, bind: str = "default"
    ) -> FilterSpec | SharedWith | None:
        """The condition "shared with the user for ``action``", or None if nothing is.

        A subquery when DocumentShare lives in the DocType's database (``bind``), else the ids.
        """
        if not await self.has_shares(user_id, doctype, action):
            return None
        if bind == DocumentShare.get_meta().bind:
            return SharedWith(user_id=user_id, action=action)
        ids = await self.shared_ids(user_id, doctype, action)
        return FilterSpec(field="id", operator="in", value=ids) if ids else None

    async def has_shares(self, user_id: str, doctype: str, action: str) -> bool:
        """Whether any ``doctype`` document is shared with the user for ``action``."""
        filters = _share_filters(user_id, doctype, action)
        if filters is None:
            return False
        key = (user_id, doctype, "read" if action == "read" else "write")
        known = self._known.get(key)
        now = self._clock()
        if known is not None and now - known[1] < self._ttl:
            return known[0]
        generation = self._generation
        repo = self._repositories.get(DocumentShare)
        if isinstance(repo, RecordReaderProtocol):
            found = await repo.count_records(filters, limit=0) > 0
        else:
            async with self._unit_of_work(DocumentShare.get_meta().bind) as uow:
                page = await repo.list(uow.session, filters, limit=1, with_total=False)
            found = bool(page.items)
        # A share changed while we were reading: answer with what we read, but do not keep it.
        if self._ttl > 0 and generation == self._generation:
            if len(self._known) >= _MAX_CACHED:
                self._known.clear()
            self._known[key] = (found, now)
        return found

    async def shared_ids(self, user_id: str, doctype: str, action: str) -> list[UUID]:
        """Ids of the ``doctype`` documents shared with the user for ``action``."""
        filters = _share_filters(user_id, doctype, action)
        if filters is None:
            return []
        ids: list[UUID] = []
        repo = self._repositories.get(DocumentShare)
        async with self._unit_of_work(DocumentShare.get_meta().bind) as uow:
            offset = 0
            while True:
                page = await repo.list(
                    uow.session,
                    filters,
                    order_by=_ORDER,
                    limit=_PAGE,
                    offset=offset,
                    with_total=False,
                )
                ids.extend(share.document_id for share in page.items)
                if not page.has_more:
                    return ids
                offset += _PAGE

    async def share_of(self, user_id: str, doctype: str, document_id: UUID) -> DocumentShare | None:
        """The share of this document with the user, if there is one."""
        filters = [
            FilterSpec(field="user_id", value=user_id),
            FilterSpec(field="doctype", value=doctype),
            FilterSpec(field="document_id", value=document_id),
        ]
        repo = self._repositories.get(DocumentShare)
        async with self._unit_of_work(DocumentShare.get_meta().bind) as uow:
            page = await repo.list(uow.session, filters, limit=1, with_total=False)
        return page.items[0] if page.items else None
