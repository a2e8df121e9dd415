"""The outbox, SQL-backed: entries are added in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import MetaData, Table, select, update

from framework_m_core.domain.base_doctype import utcnow
from framework_m_core.domain.ids import uuid7
from framework_m_core.domain.outbox import OutboxEntry
from framework_m_standard.adapters.db.bulk_copy import copy_rows
from framework_m_standard.adapters.db.session import SessionLike, execute_write
from framework_m_standard.adapters.db.system_tables import outbox_table


class SqlAlchemyOutboxRepository:
    def __init__(self, metadata: MetaData) -> None:
        self.table: Table = outbox_table(metadata)
        self._insert = self.table.insert()

    async def add(self, session: SessionLike, entry: OutboxEntry) -> None:
        """Record an entry; it becomes visible only if the caller's transaction commits."""
        await self.add_many(session, [entry])

    async def add_many(self, session: SessionLike, entries: Sequence[OutboxEntry]) -> None:
        await self._insert_rows(session, [e.model_dump() for e in entries])

    async def add_payloads(
        self, session: SessionLike, target: str, payloads: Sequence[dict[str, Any]]
    ) -> None:
        """Pending entries for ``target``, one per payload: what ``add_many`` of fresh
        ``OutboxEntry`` objects stores, without building them (bulk saves emit thousands)."""
        now = utcnow()
        rows = [
            {
                "id": uuid7(),
                "target": target,
                "payload": payload,
                "status": "pending",
                "created_at": now,
                "processed_at": None,
                "error_message": None,
                "retry_count": 0,
            }
            for payload in payloads
        ]
        await self._insert_rows(session, rows)

    async def _insert_rows(self, session: SessionLike, rows: list[dict[str, Any]]) -> None:
        if rows and not await copy_rows(session, self.table, rows):
            # One statement object for every call; many rows go as one executemany.
            # Nobody reads an entry before the commit: it may go with the COMMIT.
            await execute_write(
                session, self._insert, rows if len(rows) > 1 else rows[0], defer=True
            )

    async def get_pending(self, session: SessionLike, limit: int = 100) -> list[OutboxEntry]:
        """Oldest pending entries first."""
        stmt = (
            select(self.table)
            .where(self.table.c.status == "pending")
            .order_by(self.table.c.created_at, self.table.c.id)
            .limit(limit)
        )
        rows = (await session.execute(stmt)).mappings().all()
        return [OutboxEntry.model_validate(dict(row)) for row in rows]

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
