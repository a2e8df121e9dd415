"""Naming-series counters, unique under concurrent inserts.

One atomic upsert (``INSERT ... ON CONFLICT DO UPDATE SET current = current + 1 RETURNING``)
takes the next number. On PostgreSQL the counter row stays locked until the inserting
transaction ends, so two transactions can never get the same number and a rolled-back
insert gives its number back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.dialects import postgresql, sqlite

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.domain.naming import NamingRule, name_from_field
from framework_m_core.exceptions import NamingError
from framework_m_standard.adapters.db.session import SessionLike
from framework_m_standard.adapters.db.system_tables import naming_counter_table


class NamingService:
    def __init__(self, metadata: MetaData) -> None:
        self.table: Table = naming_counter_table(metadata)
        self._rules: dict[type[BaseDocType], NamingRule] = {}

    def rule(self, doctype: type[BaseDocType]) -> NamingRule:
        rule = self._rules.get(doctype)
        if rule is None:
            rule = self._rules[doctype] = NamingRule.parse(doctype.get_meta().naming)
        return rule

    async def assign(self, session: SessionLike, doc: BaseDocType) -> str:
        """Give ``doc`` its name by its DocType's rule (unless it has one already)."""
        if doc.name:
            return doc.name
        rule = self.rule(type(doc))
        if rule.kind == "uuid":
            doc.name = str(doc.id)
        elif rule.kind == "field":
            doc.name = name_from_field(doc, rule.argument)
        elif rule.pattern is not None:
            key = rule.pattern.render(doc, datetime.now(UTC))
            number = await self.next_value(session, f"{key.prefix}{'#' * key.digits}{key.suffix}")
            doc.name = key.format(number)
        else:
            raise NamingError(f"{type(doc).__name__} is named by prompt: set 'name' before saving")
        return doc.name

    async def next_value(self, session: SessionLike, key: str) -> int:
        dialect = session.dialect.name
        insert: Any
        if dialect == "postgresql":
            insert = postgresql.insert(self.table)
        elif dialect == "sqlite":
            insert = sqlite.insert(self.table)
        else:  # pragma: no cover - other dialects need their own upsert
            raise NamingError(f"Naming series are not supported on {dialect}")
        stmt = (
            insert.values(prefix=key, current=1)
            .on_conflict_do_update(
                index_elements=["prefix"], set_={"current": self.table.c.current + 1}
            )
            .returning(self.table.c.current)
        )
        result = await session.execute(stmt)
        return int(result.scalar_one())
