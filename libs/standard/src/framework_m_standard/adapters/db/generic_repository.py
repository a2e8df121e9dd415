"""GenericRepository: CRUD for any SQL-mapped DocType, with hooks, versions, children and outbox.

Documents are Pydantic models; rows are read with SQLAlchemy Core, never through ORM objects.
The session is the caller's (see ``SqlAlchemyUnitOfWork``); nothing here commits.
"""

from __future__ import annotations

import builtins
import sqlite3
from collections import defaultdict
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection

from framework_m_core.domain.base_controller import BaseController, HookContext, HookName
from framework_m_core.domain.base_doctype import BaseChildDocType, BaseDocType, utcnow
from framework_m_core.domain.mixins import DocStatus
from framework_m_core.domain.outbox import OutboxEntry
from framework_m_core.exceptions import (
    DocumentImmutableError,
    EntityNotFoundError,
    FrameworkError,
    ValidationError,
    VersionConflictError,
)
from framework_m_core.interfaces.repository import Condition, OrderSpec, PaginatedResult
from framework_m_standard.adapters.db.codec import from_row, to_row
from framework_m_standard.adapters.db.errors import map_db_error
from framework_m_standard.adapters.db.mapping import ChildRelation, DocTypeMapping
from framework_m_standard.adapters.db.naming import NamingService
from framework_m_standard.adapters.db.outbox_repository import SqlAlchemyOutboxRepository
from framework_m_standard.adapters.db.query import apply_filters, order_clauses

T = TypeVar("T", bound=BaseDocType)
R = TypeVar("R")

EVENTS_TARGET = "events"
# Bound parameters per statement: PostgreSQL allows 32767, SQLite (>= 3.32) 32766.
_MAX_PARAMS = 30_000 if sqlite3.sqlite_version_info >= (3, 32) else 999


class GenericRepository(Generic[T]):
    def __init__(
        self,
        mapping: DocTypeMapping,
        *,
        controller_class: type[BaseController[Any]] | None = None,
        naming: NamingService,
        outbox: SqlAlchemyOutboxRepository,
    ) -> None:
        self.mapping = mapping
        self.doctype: type[T] = mapping.doctype  # type: ignore[assignment]
        self.table = mapping.table
        self.controller_class = controller_class
        self._naming = naming
        self._outbox = outbox
        self._submittable = (
            mapping.doctype.get_meta().is_submittable and "docstatus" in self.table.c
        )
        # Sensitive fields (password hashes, token digests) never travel in events.
        self._secret = set(mapping.doctype.get_meta().sensitive_fields)

    # ------------------------------------------------------------------ reads
    async def get(self, session: AsyncConnection, id: UUID) -> T | None:
        return await self._get_one(session, self.table.c.id == id)

    async def get_by_name(self, session: AsyncConnection, name: str) -> T | None:
        return await self._get_one(session, self.table.c.name == name)

    async def exists(self, session: AsyncConnection, id: UUID) -> bool:
        stmt = self._alive(select(self.table.c.id).where(self.table.c.id == id))
        return (await self._run(session, "exists", stmt)).first() is not None

    async def count(
        self, session: AsyncConnection, filters: Sequence[Condition] | None = None
    ) -> int:
        stmt = apply_filters(select(func.count()).select_from(self.table), self.mapping, filters)
        return int((await self._run(session, "count", stmt)).scalar_one())

    async def list(
        self,
        session: AsyncConnection,
        filters: Sequence[Condition] | None = None,
        order_by: Sequence[OrderSpec] | None = None,
        limit: int = 20,
        offset: int = 0,
        *,
        with_total: bool = True,
    ) -> PaginatedResult[T]:
        if limit < 0 or offset < 0:
            raise ValidationError(
                "limit and offset must not be negative", limit=limit, offset=offset
            )
        stmt = apply_filters(select(self.table), self.mapping, filters)
        # One extra row tells whether there is a next page without counting.
        stmt = stmt.order_by(*order_clauses(self.mapping, order_by)).limit(limit + 1).offset(offset)
        rows = (await self._run(session, "list", stmt)).mappings().all()
        has_more = len(rows) > limit
        items = await self._hydrate(session, rows[:limit])
        total = await self.count(session, filters) if with_total else None
        return PaginatedResult[T](
            items=items, total=total, limit=limit, offset=offset, has_more=has_more
        )

    # ------------------------------------------------------------------ writes
    async def save(
        self, session: AsyncConnection, entity: T, version: int | None = None, *, user: Any = None
    ) -> T:
        """Insert a new document or update a loaded one; see ``BaseController`` for the hook order."""
        if entity.is_new():
            await self._insert_many(session, [entity], user)
            return entity
        return await self._update(session, entity, version, user)

    async def bulk_save(
        self, session: AsyncConnection, entities: Sequence[T], *, user: Any = None
    ) -> builtins.list[T]:
        new = [e for e in entities if e.is_new()]
        for entity in entities:
            if not entity.is_new():
                await self._update(session, entity, None, user)
        await self._insert_many(session, new, user)
        return list(entities)

    async def delete(
        self, session: AsyncConnection, id: UUID, *, hard: bool | None = None, user: Any = None
    ) -> None:
        entity = await self.get(session, id)
        if entity is None:
            raise EntityNotFoundError(
                f"{self.mapping.name} {id} not found", doctype=self.mapping.name, id=str(id)
            )
        if self._submittable and getattr(entity, "docstatus", 0) == DocStatus.SUBMITTED:
            raise DocumentImmutableError(
                f"{self.mapping.name} {entity.name} is submitted; cancel it before deleting",
                id=str(id),
            )
        ctx = HookContext(session=session, user=user)
        await self._run_hooks(entity, ("before_delete",), ctx)
        soft = self.mapping.soft_delete if hard is None else not hard
        if soft and not self.mapping.soft_delete:
            raise ValidationError(
                f"{self.mapping.name} does not support soft delete (Meta.soft_delete)"
            )
        if soft:
            stmt: Any = update(self.table).where(self.table.c.id == id).values(deleted_at=utcnow())
            await self._run(session, "delete", stmt)
        else:
            for relation in self.mapping.children.values():
                await self._delete_children(session, relation, [id])
            await self._run(session, "delete", delete(self.table).where(self.table.c.id == id))
        await self._run_hooks(entity, ("after_delete",), ctx)
        await self._emit(session, "doc.deleted", [entity], user)

    async def submit(self, session: AsyncConnection, entity: T, *, user: Any = None) -> T:
        """Draft -> Submitted: saves the document's current values and freezes it."""
        return await self._transition(session, entity, DocStatus.SUBMITTED, user)

    async def cancel(self, session: AsyncConnection, entity: T, *, user: Any = None) -> T:
        """Submitted -> Cancelled."""
        return await self._transition(session, entity, DocStatus.CANCELLED, user)

    # ------------------------------------------------------------------ insert
    async def _insert_many(self, session: AsyncConnection, new: Sequence[T], user: Any) -> None:
        """Insert new documents: hooks per document, one multi-row INSERT per table."""
        if not new:
            return
        contexts = [HookContext(session=session, user=user, is_new=True) for _ in new]
        for entity, ctx in zip(new, contexts, strict=True):
            await self._prepare_insert(session, entity, ctx)
        await self._insert_rows(session, self.mapping, [to_row(self.mapping, e) for e in new])
        await self._insert_children(session, new)
        for entity, ctx in zip(new, contexts, strict=True):
            await self._run_hooks(entity, ("after_insert", "after_save"), ctx)
        await self._emit(session, "doc.created", new, user)
        for entity in new:
            self._mark_persisted(entity)

    async def _prepare_insert(self, session: AsyncConnection, entity: T, ctx: HookContext) -> None:
        if self._submittable and getattr(entity, "docstatus", 0) != DocStatus.DRAFT:
            raise ValidationError("A new document starts as a draft; submit it after saving")
        await self._run_hooks(entity, ("validate", "before_insert", "before_save"), ctx)
        entity.modified = utcnow()
        if ctx.user is not None and entity.owner is None:
            entity.owner = _user_id(ctx.user)
        entity.modified_by = _user_id(ctx.user) if ctx.user is not None else entity.modified_by
        await self._naming.assign(session, entity)

    # ------------------------------------------------------------------ update
    async def _update(
        self, session: AsyncConnection, entity: T, version: int | None, user: Any
    ) -> T:
        if self._submittable and getattr(entity, "docstatus", 0) != DocStatus.DRAFT:
            raise DocumentImmutableError(
                f"{self.mapping.name} {entity.name} is not a draft and cannot be edited",
                id=str(entity.id),
            )
        ctx = HookContext(session=session, user=user)
        await self._run_hooks(entity, ("validate", "before_save"), ctx)
        await self._write_update(session, entity, version, user, extra_where=self._draft_only())
        await self._replace_children(session, entity)
        await self._run_hooks(entity, ("after_save",), ctx)
        await self._emit(session, "doc.updated", [entity], user)
        return entity

    async def _write_update(
        self,
        session: AsyncConnection,
        entity: T,
        version: int | None,
        user: Any,
        *,
        extra_where: Iterable[Any] = (),
    ) -> None:
        expected = entity.version if version is None else version
        entity.modified = utcnow()
        if user is not None:
            entity.modified_by = _user_id(user)
        row = to_row(self.mapping, entity)
        for immutable in ("id", "creation", "owner"):
            row.pop(immutable, None)
        conditions = [self.table.c.id == entity.id, *extra_where]
        if self.mapping.has_version:
            row["_version"] = expected + 1
            conditions.append(self.table.c._version == expected)
        if self.mapping.soft_delete:
            conditions.append(self.table.c.deleted_at.is_(None))
        result = await self._run(
            session, "update", update(self.table).where(*conditions).values(row)
        )
        if result.rowcount == 0:
            raise await self._update_failure(session, entity, expected)
        if self.mapping.has_version:
            entity.version = expected + 1

    async def _update_failure(
        self, session: AsyncConnection, entity: T, expected: int
    ) -> FrameworkError:
        """Why an UPDATE matched no row: gone, frozen, or changed by someone else."""
        current = await self.get(session, entity.id)
        if current is None:
            return EntityNotFoundError(
                f"{self.mapping.name} {entity.id} not found", id=str(entity.id)
            )
        if self._submittable and getattr(current, "docstatus", 0) != DocStatus.DRAFT:
            return DocumentImmutableError(
                f"{self.mapping.name} {current.name} is no longer a draft"
            )
        return VersionConflictError(
            f"{self.mapping.name} {current.name} was changed by someone else "
            f"(you have version {expected}, stored is {current.version}); reload and retry",
            id=str(entity.id),
            expected=expected,
            actual=current.version,
        )

    def _draft_only(self) -> builtins.list[Any]:
        return [self.table.c.docstatus == int(DocStatus.DRAFT)] if self._submittable else []

    async def _transition(
        self, session: AsyncConnection, entity: T, target: DocStatus, user: Any
    ) -> T:
        if not self._submittable:
            raise ValidationError(f"{self.mapping.name} is not submittable")
        source = DocStatus.DRAFT if target == DocStatus.SUBMITTED else DocStatus.SUBMITTED
        if getattr(entity, "docstatus", None) != source or entity.is_new():
            raise DocumentImmutableError(
                f"Only a saved {'draft' if source == DocStatus.DRAFT else 'submitted document'} can be "
                f"{'submitted' if target == DocStatus.SUBMITTED else 'cancelled'}"
            )
        before, after = (
            ("before_submit", "on_submit")
            if target == DocStatus.SUBMITTED
            else ("before_cancel", "on_cancel")
        )
        ctx = HookContext(session=session, user=user)
        if target == DocStatus.SUBMITTED:
            await self._run_hooks(entity, ("validate",), ctx)
        await self._run_hooks(entity, (before,), ctx)  # type: ignore[arg-type]
        entity.docstatus = target  # type: ignore[attr-defined]
        try:
            where = [self.table.c.docstatus == int(source)]
            await self._write_update(session, entity, None, user, extra_where=where)
        except FrameworkError:
            entity.docstatus = source  # type: ignore[attr-defined]
            raise
        if target == DocStatus.SUBMITTED:
            await self._replace_children(session, entity)
        await self._run_hooks(entity, (after,), ctx)  # type: ignore[arg-type]
        await self._emit(
            session,
            "doc.submitted" if target == DocStatus.SUBMITTED else "doc.cancelled",
            [entity],
            user,
        )
        return entity

    # ------------------------------------------------------------------ children
    async def _insert_children(self, session: AsyncConnection, parents: Sequence[T]) -> None:
        for relation in self.mapping.children.values():
            rows = [
                to_row(relation.mapping, child) for child in self._children_of(relation, parents)
            ]
            await self._insert_rows(session, relation.mapping, rows)

    async def _replace_children(self, session: AsyncConnection, entity: T) -> None:
        for relation in self.mapping.children.values():
            await self._delete_children(session, relation, [entity.id])
            rows = [
                to_row(relation.mapping, child) for child in self._children_of(relation, [entity])
            ]
            await self._insert_rows(session, relation.mapping, rows)

    def _children_of(
        self, relation: ChildRelation, parents: Sequence[T]
    ) -> Iterable[BaseChildDocType]:
        for parent in parents:
            for idx, child in enumerate(getattr(parent, relation.field), start=1):
                if not isinstance(child, BaseChildDocType):
                    raise ValidationError(
                        f"{relation.field} rows must be {relation.mapping.name} documents"
                    )
                child.parent = parent.id
                child.parenttype = self.mapping.name
                child.parentfield = relation.field
                child.idx = idx
                child.name = child.name or str(child.id)
                child.owner = child.owner or parent.owner
                child.modified = parent.modified
                child.modified_by = parent.modified_by
                yield child

    async def _delete_children(
        self, session: AsyncConnection, relation: ChildRelation, parent_ids: Sequence[UUID]
    ) -> None:
        table = relation.mapping.table
        stmt = delete(table).where(
            table.c.parent.in_(parent_ids),
            table.c.parentfield == relation.field,
            table.c.parenttype == self.mapping.name,
        )
        await self._run(session, "delete children", stmt)

    async def _load_children(
        self, session: AsyncConnection, parent_ids: Sequence[UUID]
    ) -> dict[UUID, dict[str, builtins.list[BaseDocType]]]:
        """Children of a whole page of parents: one query per child table, never one per parent."""
        loaded: dict[UUID, dict[str, builtins.list[BaseDocType]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for relation in self.mapping.children.values():
            table = relation.mapping.table
            stmt = (
                select(table)
                .where(
                    table.c.parent.in_(parent_ids),
                    table.c.parentfield == relation.field,
                    table.c.parenttype == self.mapping.name,
                )
                .order_by(table.c.parent, table.c.idx)
            )
            for row in (await self._run(session, "load children", stmt)).mappings():
                loaded[row["parent"]][relation.field].append(from_row(relation.mapping, row))
        return loaded

    # ------------------------------------------------------------------ helpers
    async def _get_one(self, session: AsyncConnection, condition: Any) -> T | None:
        stmt = self._alive(select(self.table).where(condition))
        row = (await self._run(session, "get", stmt)).mappings().first()
        if row is None:
            return None
        return (await self._hydrate(session, [row]))[0]

    async def _hydrate(self, session: AsyncConnection, rows: Sequence[Any]) -> builtins.list[T]:
        if not rows:
            return []
        children = (
            await self._load_children(session, [r["id"] for r in rows])
            if self.mapping.children
            else {}
        )
        return [
            from_row(self.mapping, row, children.get(row["id"]))  # type: ignore[misc]
            for row in rows
        ]

    def _mark_persisted(self, entity: T) -> None:
        entity.mark_persisted()
        for relation in self.mapping.children.values():
            for child in getattr(entity, relation.field):
                child.mark_persisted()

    def _alive(self, stmt: Select[Any]) -> Select[Any]:
        return stmt.where(self.table.c.deleted_at.is_(None)) if self.mapping.soft_delete else stmt

    async def _insert_rows(
        self, session: AsyncConnection, mapping: DocTypeMapping, rows: builtins.list[dict[str, Any]]
    ) -> None:
        if not rows:
            return
        per_row = max(1, len(rows[0]))
        chunk = max(1, _MAX_PARAMS // per_row)
        for start in range(0, len(rows), chunk):
            # One multi-row INSERT ... VALUES (...), (...) per chunk.
            await self._run(
                session, "insert", insert(mapping.table).values(rows[start : start + chunk])
            )

    async def _run_hooks(
        self, entity: BaseDocType, hooks: Sequence[HookName], ctx: HookContext
    ) -> None:
        if self.controller_class is None:
            return
        controller = self.controller_class(entity)
        for hook in hooks:
            await getattr(controller, hook)(ctx)

    async def _emit(
        self, session: AsyncConnection, event_type: str, docs: Sequence[BaseDocType], user: Any
    ) -> None:
        entries = [
            OutboxEntry(
                target=EVENTS_TARGET,
                payload={
                    "type": event_type,
                    "doctype": self.mapping.name,
                    "id": str(doc.id),
                    "name": doc.name,
                    "user": _user_id(user) if user is not None else None,
                    "data": doc.model_dump(mode="json", by_alias=True, exclude=self._secret),
                },
            )
            for doc in docs
        ]
        await self._guard(self._outbox.add_many(session, entries), "outbox")

    async def _run(self, session: AsyncConnection, operation: str, stmt: Any) -> Any:
        return await self._guard(session.execute(stmt), operation)

    async def _guard(self, awaitable: Awaitable[R], operation: str) -> R:
        try:
            return await awaitable
        except sa_exc.SQLAlchemyError as exc:
            raise map_db_error(exc, doctype=self.mapping.name, operation=operation) from exc


def _user_id(user: Any) -> str:
    return str(getattr(user, "id", user))
