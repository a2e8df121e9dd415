"""``ShareLookup``: which documents were shared with a user, and how far."""

from __future__ import annotations

from uuid import UUID

from framework_m_core.doctypes import DocumentShare
from framework_m_core.interfaces.repository import (
    Condition,
    FilterGroup,
    FilterSpec,
    OrderSpec,
    RepositoryFactoryProtocol,
)
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol

_PAGE = 1000
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


def share_allows(share: DocumentShare, action: str) -> bool:
    """Whether this share lets its user do ``action`` on the document."""
    if action == "read":
        return share.read or share.write
    return action in _SHARE_CONDITION and share.write


class ShareLookup:
    """Reads DocumentShare rows for permission checks."""

    def __init__(
        self, repositories: RepositoryFactoryProtocol, unit_of_work: UnitOfWorkFactoryProtocol
    ) -> None:
        self._repositories = repositories
        self._unit_of_work = unit_of_work

    async def shared_ids(self, user_id: str, doctype: str, action: str) -> list[UUID]:
        """Ids of the ``doctype`` documents shared with the user for ``action``."""
        condition = _SHARE_CONDITION.get(action)
        if condition is None:
            return []
        filters: list[Condition] = [
            FilterSpec(field="user_id", value=user_id),
            FilterSpec(field="doctype", value=doctype),
            condition,
        ]
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
