"""The outbox, SQL-backed: entries are added in the caller's transaction.

Statuses: ``pending`` (waits for a relay's poll), ``handed`` (written where this process's
relay runs: the unit of work hands the committed row to it, and other relays leave it alone
until it is older than their hand-off grace), ``processed``, ``failed``. Both ``pending`` and
``handed`` are unpublished.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import MetaData, Table, bindparam, delete, select, update

from framework_m_core.domain.base_doctype import utcnow
from framework_m_core.domain.ids import uuid7
from framework_m_core.domain.outbox import EventRecord, OutboxEntry, pack_events
from framework_m_standard.adapters.db.bulk_copy import copy_rows
from framework_m_standard.adapters.db.session import DbSession, SessionLike, execute_write
from framework_m_standard.adapters.db.system_tables import outbox_table

UNPUBLISHED = ("pending", "handed")
EVENTS_PER_ROW = 500
"""Events of one ``add_events`` call that share an outbox row (``pack_events``)."""


class SqlAlchemyOutboxRepository:
    def __init__(self, metadata: MetaData) -> None:
        self.table: Table = outbox_table(metadata)
        self._insert = self.table.insert()
        # The relay's statements, built once: it runs them after every commit.
        c = self.table.c
        # One statement per status, each an equality the (status, created_at) index serves:
        # with ``status IN (...)`` SQLite's statistics can make it scan every processed row.
        self._claim: dict[tuple[str, bool, bool], Any] = {}
        for status in UNPUBLISHED:
            for cut in (False, True):
                claim = select(self.table).where(
                    c.status == status, c.target == bindparam("target")
                )
                if cut:
                    claim = claim.where(c.created_at < bindparam("handed_before"))
                claim = claim.order_by(c.created_at, c.id).limit(bindparam("limit"))
                self._claim[status, cut, False] = claim
                self._claim[status, cut, True] = claim.with_for_update(skip_locked=True)
        self._mark_processed = (
            update(self.table)
            .where(c.id.in_(bindparam("ids", expanding=True)))
            .values(status="processed", processed_at=bindparam("now"))
        )
        self._release = (
            update(self.table)
            .where(c.id.in_(bindparam("ids", expanding=True)), c.status == "handed")
            .values(status="pending")
        )

    async def add(self, session: SessionLike, entry: OutboxEntry) -> None:
        """Record an entry; it becomes visible only if the caller's transaction commits."""
        await self.add_many(session, [entry])

    async def add_many(self, session: SessionLike, entries: Sequence[OutboxEntry]) -> None:
        await self._insert_rows(session, [e.model_dump() for e in entries])
        if entries and isinstance(session, DbSession):
            session.outbox.pending = True

    async def add_events(
        self,
        session: SessionLike,
        target: str,
        kind: str,
        doctype: str,
        user: str | None,
        events: Sequence[EventRecord],
    ) -> None:
        """Document events of one type, DocType and user: a bulk save's thousands share rows,
        ``EVENTS_PER_ROW`` to a row (``pack_events``; the relay publishes one event each).
        A row per event, with its id, row dict, JSON document and index entries, was a third
        of a bulk save."""
        await self.add_payloads(
            session, target, pack_events(kind, doctype, user, events, EVENTS_PER_ROW)
        )

    async def add_payloads(
        self, session: SessionLike, target: str, payloads: Sequence[dict[str, Any]]
    ) -> None:
        """Unpublished entries for ``target``, one per payload: what ``add_many`` of fresh
        ``OutboxEntry`` objects stores, without building them.

        ``handed`` when this process's relay takes the session's rows of ``target`` after the
        COMMIT (``DbSession.outbox_target``), else ``pending``."""
        if not payloads:
            return
        handed = isinstance(session, DbSession) and session.outbox_target == target
        now = utcnow()
        status = "handed" if handed else "pending"
        rows = [
            {
                "id": uuid7(),
                "target": target,
                "payload": payload,
                "status": status,
                "created_at": now,
                "processed_at": None,
                "error_message": None,
                "retry_count": 0,
            }
            for payload in payloads
        ]
        await self._insert_rows(session, rows)
        if isinstance(session, DbSession):
            if handed:
                session.outbox.handed.extend(rows)
            else:
                session.outbox.pending = True

    async def _insert_rows(self, session: SessionLike, rows: list[dict[str, Any]]) -> None:
        if rows and not await copy_rows(session, self.table, rows):
            # One statement object for every call; many rows go as one executemany.
            # Nobody reads an entry before the commit: it may go with the COMMIT, and one
            # entry with the write it records (``joins``; PostgreSQL, see ``DbSession``).
            single = len(rows) == 1
            await execute_write(
                session, self._insert, rows[0] if single else rows, defer=True, joins=single
            )

    async def get_pending(self, session: SessionLike, limit: int = 100) -> list[OutboxEntry]:
        """Oldest unpublished (pending or handed) entries first."""
        stmt = (
            select(self.table)
            .where(self.table.c.status.in_(UNPUBLISHED))
            .order_by(self.table.c.created_at, self.table.c.id)
            .limit(limit)
        )
        rows = (await session.execute(stmt)).mappings().all()
        return [OutboxEntry.model_validate(dict(row)) for row in rows]

    async def claim_pending(
        self,
        session: SessionLike,
        target: str,
        *,
        limit: int,
        skip_locked: bool,
        handed_before: datetime | None = None,
    ) -> list[OutboxEntry]:
        """Oldest unpublished entries of ``target`` first; with ``skip_locked`` (PostgreSQL)
        they stay locked until the caller's transaction ends and other claimers pass over them.

        ``handed_before``: of the ``handed`` rows only those created before it (their own
        relay has had time to publish them); None takes every unpublished row."""
        params: dict[str, Any] = {"target": target, "limit": limit}
        rows: list[Any] = []
        for status in UNPUBLISHED:
            cut = status == "handed" and handed_before is not None
            if cut:
                params["handed_before"] = handed_before
            stmt = self._claim[status, cut, skip_locked]
            rows += (await session.execute(stmt, params)).mappings().all()
        rows.sort(key=lambda row: (row["created_at"], row["id"]))
        return [OutboxEntry.model_validate(dict(row)) for row in rows[:limit]]

    async def release(self, session: SessionLike, ids: Sequence[UUID]) -> None:
        """``handed`` entries back to ``pending``: their relay will not publish them (a failed
        publish), so the next poll of any relay takes them in order."""
        if ids:
            await session.execute(self._release, {"ids": list(ids)})

    async def mark_processed_many(self, session: SessionLike, ids: Sequence[UUID]) -> None:
        """Mark entries processed in one statement."""
        if ids:
            await session.execute(self._mark_processed, {"ids": list(ids), "now": utcnow()})

    async def record_failure(
        self, session: SessionLike, id: UUID, error: str, *, give_up: bool
    ) -> None:
        """Count a failed attempt; ``give_up`` marks the entry ``failed`` (no more retries)."""
        values: dict[str, Any] = {
            "error_message": error[:2000],
            "retry_count": self.table.c.retry_count + 1,
        }
        if give_up:
            values["status"] = "failed"
        await session.execute(update(self.table).where(self.table.c.id == id).values(**values))

    async def delete_processed(self, session: SessionLike, *, before: datetime) -> int:
        """Delete entries processed before ``before``; how many went."""
        result = await session.execute(
            delete(self.table).where(
                self.table.c.status == "processed", self.table.c.processed_at < before
            )
        )
        return int(getattr(result, "rowcount", 0))

    async def mark_processed(self, session: SessionLike, id: UUID) -> None:
        await session.execute(
            update(self.table)
            .where(self.table.c.id == id)
            .values(status="processed", processed_at=utcnow())
        )

    async def mark_failed(self, session: SessionLike, id: UUID, error: str) -> None:
        """Record a failed delivery attempt with its error."""
        await session.execute(
            update(self.table)
            .where(self.table.c.id == id)
            .values(status="failed", error_message=error, retry_count=self.table.c.retry_count + 1)
        )
