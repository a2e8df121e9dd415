"""``CustomPermissionRules``: the CustomPermission rows, read all at once and cached per process.

Every permission check consults them, so they are loaded in one query and kept for
``ttl`` seconds; whoever changes a rule calls ``invalidate()`` to see it at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from framework_m_core.doctypes import CustomPermission
from framework_m_core.interfaces.repository import (
    OrderSpec,
    RecordReaderProtocol,
    RepositoryFactoryProtocol,
)
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol

_PAGE = 1000
_ORDER = (OrderSpec(field="id"),)


@dataclass
class _RoleSets:
    grants: set[str] = field(default_factory=set)
    revokes: set[str] = field(default_factory=set)


class CustomPermissionRules:
    """Roles granted or revoked an action on a DocType by CustomPermission rows."""

    def __init__(
        self,
        repositories: RepositoryFactoryProtocol,
        unit_of_work: UnitOfWorkFactoryProtocol,
        *,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repositories = repositories
        self._unit_of_work = unit_of_work
        self._ttl = ttl
        self._clock = clock
        self._rules: dict[tuple[str, str], _RoleSets] | None = None
        self._loaded_at = 0.0
        self._generation = 0
        self._loading: asyncio.Future[dict[tuple[str, str], _RoleSets]] | None = None

    def invalidate(self) -> None:
        """Forget the cached rules; the next check reads them again."""
        self._rules = None
        self._loading = None  # a reload already running may have read the old rules
        self._generation += 1

    async def snapshot(self) -> object:
        """The rules now in force (re-read when stale); a new object whenever they change."""
        return await self._current()

    async def grants(self, doctype: str, action: str) -> set[str]:
        """Roles a rule allows ``action`` on ``doctype``."""
        rules = await self._current()
        return set(rules[(doctype, action)].grants) if (doctype, action) in rules else set()

    async def revokes(self, doctype: str, action: str) -> set[str]:
        """Roles a rule forbids ``action`` on ``doctype``, whatever ``Meta.permissions`` says."""
        rules = await self._current()
        return set(rules[(doctype, action)].revokes) if (doctype, action) in rules else set()

    async def _current(self) -> dict[tuple[str, str], _RoleSets]:
        rules = self._rules
        if rules is not None and self._clock() - self._loaded_at < self._ttl:
            return rules
        # One reload at a time: when the rules go stale under load, every request in flight
        # would otherwise read them at once (on SQLite, one after the other).
        loading = self._loading
        if loading is None or loading.done():
            loading = self._loading = asyncio.ensure_future(self._reload())
        return await asyncio.shield(loading)

    async def _reload(self) -> dict[tuple[str, str], _RoleSets]:
        generation = self._generation
        started = self._clock()
        rules = await self._load()
        # A rule changed while we were reading: use what we read once, but do not keep it.
        if generation == self._generation:
            self._rules, self._loaded_at = rules, started
        return rules

    async def _load(self) -> dict[tuple[str, str], _RoleSets]:
        rules: dict[tuple[str, str], _RoleSets] = {}
        repo = self._repositories.get(CustomPermission)
        offset = 0
        while True:
            if isinstance(repo, RecordReaderProtocol):
                # Committed rows on the read lane: no unit of work (and no SQLite turn) needed.
                records = await repo.list_records(order_by=_ORDER, limit=_PAGE, offset=offset)
                rows = [(r["doctype"], r["action"], r["role"], r["allow"]) for r in records.items]
                more = records.has_more
            else:
                async with self._unit_of_work(CustomPermission.get_meta().bind) as uow:
                    page = await repo.list(
                        uow.session, order_by=_ORDER, limit=_PAGE, offset=offset, with_total=False
                    )
                rows = [(r.doctype, r.action, r.role, r.allow) for r in page.items]
                more = page.has_more
            for doctype, action, role, allow in rows:
                sets = rules.setdefault((doctype, action), _RoleSets())
                (sets.grants if allow else sets.revokes).add(role)
            if not more:
                return rules
            offset += _PAGE
