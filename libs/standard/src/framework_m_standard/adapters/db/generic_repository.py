"""GenericRepository: CRUD for any SQL-mapped DocType, with hooks, versions, children and outbox.

Documents are Pydantic models; rows are read with SQLAlchemy Core, never through ORM objects.
The session is the caller's (see ``SqlAlchemyUnitOfWork``); nothing here commits.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Integer, Select, Table, bindparam, delete, func, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect

from framework_m_core.domain.base_controller import BaseController, HookContext, HookName
from framework_m_core.domain.base_doctype import BaseChildDocType, BaseDocType, utcnow
from framework_m_core.domain.mixins import DocStatus
from framework_m_core.exceptions import (
    DocumentImmutableError,
    EntityNotFoundError,
    FrameworkError,
    RepositoryError,
    ValidationError,
    VersionConflictError,
)
from framework_m_core.interfaces.repository import Condition, OrderSpec, PaginatedResult
from framework_m_standard.adapters.db.bulk_copy import copy_records
from framework_m_standard.adapters.db.codec import (
    from_row,
    is_plain,
    record_keys,
    row_values,
    to_row,
)
from framework_m_standard.adapters.db.errors import map_db_error
from framework_m_standard.adapters.db.mapping import ChildRelation, DocTypeMapping
from framework_m_standard.adapters.db.naming import NamingService
from framework_m_standard.adapters.db.outbox_repository import SqlAlchemyOutboxRepository
from framework_m_standard.adapters.db.query import (
    by_id,
    encode_cursor,
    keyset_ready,
    order_clauses,
    plan_after,
    plan_filters,
    plan_order,
    where_clause,
)
from framework_m_standard.adapters.db.read_lane import ReadLane
from framework_m_standard.adapters.db.session import DbSession, SessionLike, execute_write
from framework_m_standard.adapters.db.statements import StatementCache

T = TypeVar("T", bound=BaseDocType)
R = TypeVar("R")
RecordPage = PaginatedResult[dict[str, Any]]

EVENTS_TARGET = "events"


class GenericRepository(Generic[T]):
    def __init__(
        self,
        mapping: DocTypeMapping,
        *,
        controller_class: type[BaseController[Any]] | None = None,
        naming: NamingService,
        outbox: SqlAlchemyOutboxRepository,
        reader: Callable[[], tuple[ReadLane, Dialect]] | None = None,
        shares: Table | None = None,
    ) -> None:
        """``reader`` gives the read lane of the DocType's database and its dialect (records);
        ``shares`` is the DocumentShare table when it lives in the same database."""
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
        self._reader = reader
        self._shares = shares
        self._statements = StatementCache()
        self._keys = record_keys(mapping)
        self._keys_are_columns = all(key == column for column, key in self._keys.items())
        # Every name a caller may select a column by: its key in a record (``_version``),
        # the model field (``version``) and the column itself.
        fields_by_column = {c.column: c.field for c in mapping.fields}
        fields_by_alias = {
            info.alias: name for name, info in mapping.doctype.model_fields.items() if info.alias
        }
        self._names = {
            column: frozenset(
                {key, column, fields_by_column.get(column, fields_by_alias.get(key, column))}
            )
            for column, key in self._keys.items()
        }
        self._columns = tuple(c.name for c in self.table.columns if c.name != "deleted_at")
        self._plain = is_plain(mapping)

    @property
    def statement_cache(self) -> StatementCache:
        """The statements built so far, one per query shape."""
        return self._statements

    # ------------------------------------------------------------------ reads
    async def get(self, session: SessionLike, id: UUID) -> T | None:
        return await self._get_one(session, "id", id)

    async def get_by_name(self, session: SessionLike, name: str) -> T | None:
        return await self._get_one(session, "name", name)

    async def exists(self, session: SessionLike, id: UUID) -> bool:
        stmt = self._statements.statement(("exists",), self._exists_statement)
        result = await self._run(session, "exists", stmt, {"p0": id})
        return result.first() is not None

    async def count(self, session: SessionLike, filters: Sequence[Condition] | None = None) -> int:
        plan = plan_filters(self.mapping, filters)
        stmt = self._count_statement(plan.shape, capped=False)
        return int((await self._run(session, "count", stmt, plan.params())).scalar_one())

    async def list(
        self,
        session: SessionLike,
        filters: Sequence[Condition] | None = None,
        order_by: Sequence[OrderSpec] | None = None,
        limit: int = 20,
        offset: int = 0,
        *,
        with_total: bool = True,
    ) -> PaginatedResult[T]:
        _check_page(limit, offset)
        plan = plan_filters(self.mapping, filters)
        order = plan_order(self.mapping, order_by)
        stmt = self._page_statement(plan.shape, order, self._columns)
        # One extra row tells whether there is a next page without counting.
        params = {**plan.params(), "p_limit": limit + 1, "p_offset": offset}
        if self._committed(session):
            key = ("page", plan.shape, order, self._columns)
            rows: Sequence[Any] = await self._fetch(
                key, stmt, params, self._columns, point=by_id(plan.shape)
            )
        else:
            rows = (await self._run(session, "list", stmt, params)).mappings().all()
        has_more = len(rows) > limit
        items = await self._hydrate(session, rows[:limit])
        total = await self.count(session, filters) if with_total else None
        # Built, not validated: the items were hydrated (and validated) a moment ago.
        return PaginatedResult.model_construct(
            items=items, total=total, limit=limit, offset=offset, has_more=has_more
        )

    # ------------------------------------------------------------------ records (read lane)
    async def list_records(
        self,
        filters: Sequence[Condition] | None = None,
        order_by: Sequence[OrderSpec] | None = None,
        limit: int = 20,
        offset: int = 0,
        *,
        fields: Sequence[str] | None = None,
        exclude: frozenset[str] = frozenset(),
        after: str | None = None,
        with_total: bool = False,
        total_limit: int | None = None,
    ) -> PaginatedResult[dict[str, Any]]:
        """Committed rows as JSON-ready dicts: one query for the page, one per child table."""
        _check_page(limit, offset)
        plan = plan_filters(self.mapping, filters)
        order = plan_order(self.mapping, order_by)
        page_plan = plan_after(self.mapping, order, after, plan) if after else plan
        columns, relations = self._record_columns(fields, exclude)
        # Sort columns are fetched too: the cursor of the next page is made of them.
        fetched = tuple(dict.fromkeys((*columns, *(c for c, _ in order))))
        stmt = self._page_statement(page_plan.shape, order, fetched)
        key = ("page", page_plan.shape, order, fetched)
        params = {**page_plan.params(), "p_limit": limit + 1, "p_offset": offset}
        rows = await self._fetch(key, stmt, params, fetched, point=by_id(page_plan.shape))
        has_more = len(rows) > limit
        rows = rows[:limit]
        cursor = (
            encode_cursor(order, rows[-1])
            if has_more and rows and keyset_ready(self.mapping, order)
            else None
        )
        children = await self._child_records(relations, [row["id"] for row in rows])
        if not relations and fetched == columns and self._keys_are_columns:
            records = rows  # already what a record is: no second pass over the page
        else:
            records = [self._record(row, columns, relations, children) for row in rows]
        if not self._plain:
            records = [self._through_model(r, fields, exclude) for r in records]
        total = await self.count_records(filters, limit=total_limit) if with_total else None
        # Built, not validated: the records came from the database a moment ago.
        return RecordPage.model_construct(
            items=records,
            total=total,
            limit=limit,
            offset=offset,
            has_more=has_more,
            next_cursor=cursor,
        )

    async def count_records(
        self, filters: Sequence[Condition] | None = None, *, limit: int | None = None
    ) -> int:
        """How many rows match; with ``limit``, counting stops at ``limit + 1``."""
        plan = plan_filters(self.mapping, filters)
        stmt = self._count_statement(plan.shape, capped=limit is not None)
        key = ("count", plan.shape, limit is not None)
        params = plan.params()
        if limit is not None:
            params["p_limit"] = limit + 1
        rows = await self._fetch(key, stmt, params, ("count",), point=by_id(plan.shape))
        return int(rows[0]["count"])

    async def _fetch(
        self,
        key: Any,
        stmt: Any,
        params: dict[str, Any],
        columns: Sequence[str] | None,
        *,
        point: bool = False,
    ) -> builtins.list[dict[str, Any]]:
        """``point``: the query reads at most one row, by id (see ``ReadLane.fetch``)."""
        if self._reader is None:
            raise RepositoryError(f"{self.mapping.name} has no read lane configured")
        lane, dialect = self._reader()
        compiled = self._statements.compiled(key, stmt, dialect, columns)
        values = compiled.parameters(params)
        rows = await self._guard(lane.fetch(compiled, values, point=point), "read")
        return [compiled.record(row) for row in rows]

    def _record_columns(
        self, fields: Sequence[str] | None, exclude: frozenset[str]
    ) -> tuple[tuple[str, ...], tuple[ChildRelation, ...]]:
        """Columns and child tables a record needs: the fields asked for, minus ``exclude``."""
        wanted = None if fields is None else {"id", *fields}
        if not self._plain:
            return self._columns, tuple(self.mapping.children.values())
        columns = tuple(
            column
            for column, key in self._keys.items()
            if (wanted is None or column == "id" or not wanted.isdisjoint(self._names[column]))
            and key not in exclude
            and column not in exclude
        )
        relations = tuple(
            relation
            for name, relation in self.mapping.children.items()
            if (wanted is None or name in wanted) and name not in exclude
        )
        return columns, relations

    def _record(
        self,
        row: dict[str, Any],
        columns: Sequence[str],
        relations: Sequence[ChildRelation],
        children: dict[Any, dict[str, builtins.list[dict[str, Any]]]],
    ) -> dict[str, Any]:
        keys = self._keys
        record = {keys[column]: row[column] for column in columns}
        if relations:
            mine = children.get(row["id"], {})
            for relation in relations:
                record[relation.field] = mine.get(relation.field, [])
        return record

    def _through_model(
        self, record: dict[str, Any], fields: Sequence[str] | None, exclude: frozenset[str]
    ) -> dict[str, Any]:
        """DocTypes with their own serializers are dumped by Pydantic, as everywhere else."""
        doc = self.doctype.model_validate(record)
        include = None if fields is None else {"id", *fields}
        return doc.model_dump(mode="json", by_alias=True, include=include, exclude=set(exclude))

    async def _child_records(
        self, relations: Sequence[ChildRelation], parent_ids: Sequence[Any]
    ) -> dict[Any, dict[str, builtins.list[dict[str, Any]]]]:
        """Children of a page of parents: one query per child table, never one per parent."""
        loaded: dict[Any, dict[str, builtins.list[dict[str, Any]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        if not parent_ids:
            return loaded
        for relation in relations:
            mapping = relation.mapping
            columns = tuple(c.name for c in mapping.table.columns if c.name != "deleted_at")
            key = ("children", relation.field, len(parent_ids))
            stmt = self._children_statement(relation, len(parent_ids))
            # Records may carry ids as text (SQLite): bind them as the UUIDs they are.
            params = {
                f"p{i}": UUID(parent) if isinstance(parent, str) else parent
                for i, parent in enumerate(parent_ids)
            }
            for row in await self._fetch(key, stmt, params, columns):
                loaded[row["parent"]][relation.field].append(row)
        return loaded

    # ------------------------------------------------------------------ statements
    def _page_statement(self, shape: Any, order: Any, columns: Sequence[str]) -> Any:
        def build() -> Any:
            stmt = select(*(self.table.c[c] for c in columns))
            where = where_clause(self.mapping, shape, self._shares)
            if where is not None:
                stmt = stmt.where(where)
            return (
                stmt.order_by(*order_clauses(self.mapping, order))
                .limit(bindparam("p_limit", type_=Integer))
                .offset(bindparam("p_offset", type_=Integer))
            )

        return self._statements.statement(("page", shape, order, tuple(columns)), build)

    def _count_statement(self, shape: Any, *, capped: bool) -> Any:
        def build() -> Any:
            where = where_clause(self.mapping, shape, self._shares)
            if capped:
                inner = select(self.table.c.id)
                if where is not None:
                    inner = inner.where(where)
                limited = inner.limit(bindparam("p_limit", type_=Integer)).subquery()
                return select(func.count().label("count")).select_from(limited)
            stmt = select(func.count().label("count")).select_from(self.table)
            return stmt.where(where) if where is not None else stmt

        return self._statements.statement(("count", shape, capped), build)

    def _one_statement(self, column: str) -> Any:
        condition = self.table.c[column] == bindparam("p0", type_=self.table.c[column].type)
        return self._alive(select(self.table).where(condition))

    def _exists_statement(self) -> Any:
        condition = self.table.c.id == bindparam("p0", type_=self.table.c.id.type)
        return self._alive(select(self.table.c.id).where(condition))

    def _children_statement(self, relation: ChildRelation, count: int) -> Any:
        def build() -> Any:
            table = relation.mapping.table
            parents = [bindparam(f"p{i}", type_=table.c.parent.type) for i in range(count)]
            return (
                select(*(c for c in table.columns if c.name != "deleted_at"))
                .where(
                    table.c.parent.in_(parents),
                    table.c.parentfield == relation.field,
                    table.c.parenttype == self.mapping.name,
                )
                .order_by(table.c.parent, table.c.idx)
            )

        return self._statements.statement(("children", relation.field, count), build)

    # ------------------------------------------------------------------ writes
    async def save(
        self, session: SessionLike, entity: T, version: int | None = None, *, user: Any = None
    ) -> T:
        """Insert a new document or update a loaded one; see ``BaseController`` for the hook order."""
        if entity.is_new():
            await self._insert_many(session, [entity], user)
            return entity
        return await self._update(session, entity, version, user)

    async def bulk_save(
        self, session: SessionLike, entities: Sequence[T], *, user: Any = None
    ) -> builtins.list[T]:
        new: builtins.list[T] = []
        for entity in entities:
            if entity.is_new():  # a private attribute: slow to read, so once per document
                new.append(entity)
            else:
                await self._update(session, entity, None, user)
        await self._insert_many(session, new, user)
        return list(entities)

    async def delete(
        self, session: SessionLike, id: UUID, *, hard: bool | None = None, user: Any = None
    ) -> None:
        entity = await self.get(session, id)
        if entity is None:
            raise EntityNotFoundError(
                f"{self.mapping.name} {id} not found", doctype=self.mapping.name, id=str(id)
            )
        await self.delete_loaded(session, entity, hard=hard, user=user)

    async def delete_loaded(
        self, session: SessionLike, entity: T, *, hard: bool | None = None, user: Any = None
    ) -> None:
        """``delete`` of a document the caller has just loaded (in this unit of work)."""
        id = entity.id
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
            stmt = self._statements.statement(("soft delete",), self._soft_delete_statement)
            await self._write(session, "delete", stmt, {"w_id": id, "w_deleted_at": utcnow()})
        else:
            for relation in self.mapping.children.values():
                await self._delete_children(session, relation, [id])
            stmt = self._statements.statement(("delete",), self._delete_statement)
            await self._write(session, "delete", stmt, {"w_id": id})
        await self._run_hooks(entity, ("after_delete",), ctx)
        await self._emit(session, "doc.deleted", [entity], user)

    async def submit(self, session: SessionLike, entity: T, *, user: Any = None) -> T:
        """Draft -> Submitted: saves the document's current values and freezes it."""
        return await self._transition(session, entity, DocStatus.SUBMITTED, user)

    async def cancel(self, session: SessionLike, entity: T, *, user: Any = None) -> T:
        """Submitted -> Cancelled."""
        return await self._transition(session, entity, DocStatus.CANCELLED, user)

    # ------------------------------------------------------------------ insert
    async def _insert_many(self, session: SessionLike, new: Sequence[T], user: Any) -> None:
        """Insert new documents: hooks per document, one multi-row INSERT per table."""
        if not new:
            return
        contexts: builtins.list[HookContext] | None = None
        if self.controller_class is None:
            # No hooks to run: the per-document work of a bulk save is only what is stored.
            await self._stamp_new(session, new, user)
        else:
            contexts = [HookContext(session=session, user=user, is_new=True) for _ in new]
            for entity, ctx in zip(new, contexts, strict=True):
                await self._prepare_insert(session, entity, ctx)
        await self._insert_rows(session, self.mapping, [row_values(self.mapping, e) for e in new])
        for entity in new:
            entity.mark_clean()  # what hooks assign from here on is for the next save
        await self._insert_children(session, new)
        if contexts is not None:
            for entity, ctx in zip(new, contexts, strict=True):
                await self._run_hooks(entity, ("after_insert", "after_save"), ctx)
        await self._emit(session, "doc.created", new, user)
        for entity in new:
            self._mark_persisted(entity)

    async def _prepare_insert(self, session: SessionLike, entity: T, ctx: HookContext) -> None:
        if self._submittable and getattr(entity, "docstatus", 0) != DocStatus.DRAFT:
            raise ValidationError("A new document starts as a draft; submit it after saving")
        await self._run_hooks(entity, ("validate", "before_insert", "before_save"), ctx)
        _stamp(entity, utcnow(), _user_id(ctx.user) if ctx.user is not None else None)
        await self._naming.assign(session, entity)

    async def _stamp_new(self, session: SessionLike, new: Sequence[T], user: Any) -> None:
        """``_prepare_insert`` of documents without hooks: one clock reading for the batch."""
        if self._submittable and any(getattr(e, "docstatus", 0) != DocStatus.DRAFT for e in new):
            raise ValidationError("A new document starts as a draft; submit it after saving")
        now = utcnow()
        who = _user_id(user) if user is not None else None
        by_id = self._naming.rule(self.doctype).kind == "uuid"
        for entity in new:
            _stamp(entity, now, who)
            if not by_id:
                await self._naming.assign(session, entity)
            elif not entity.name:
                entity.name = str(entity.id)

    # ------------------------------------------------------------------ update
    async def _update(self, session: SessionLike, entity: T, version: int | None, user: Any) -> T:
        if self._submittable and getattr(entity, "docstatus", 0) != DocStatus.DRAFT:
            raise DocumentImmutableError(
                f"{self.mapping.name} {entity.name} is not a draft and cannot be edited",
                id=str(entity.id),
            )
        ctx = HookContext(session=session, user=user)
        await self._run_hooks(entity, ("validate", "before_save"), ctx)
        draft = int(DocStatus.DRAFT) if self._submittable else None
        await self._write_update(session, entity, version, user, docstatus=draft)
        await self._replace_children(session, entity)
        await self._run_hooks(entity, ("after_save",), ctx)
        await self._emit(session, "doc.updated", [entity], user)
        return entity

    async def _write_update(
        self,
        session: SessionLike,
        entity: T,
        version: int | None,
        user: Any,
        *,
        docstatus: int | None = None,
    ) -> None:
        """UPDATE the row if it still has version ``version`` (and ``docstatus``, if given)."""
        expected = entity.version if version is None else version
        entity.modified = utcnow()
        if user is not None:
            entity.modified_by = _user_id(user)
        params = self._changed_columns(entity)
        params["w_id"] = entity.id
        if self.mapping.has_version:
            params["_version"] = expected + 1
            params["w_version"] = expected
        if docstatus is not None:
            params["w_docstatus"] = docstatus
        stmt = self._statements.statement(
            ("update", docstatus is not None),
            partial(self._update_statement, docstatus is not None),
        )
        await self._write(
            session,
            "update",
            stmt,
            params,
            expect=1,
            why=partial(self._update_failure, session, entity, expected),
        )
        if self.mapping.has_version:
            entity.version = expected + 1
        entity.mark_clean()

    def _changed_columns(self, entity: T) -> dict[str, Any]:
        """The columns an UPDATE of ``entity`` sets: those of the fields assigned since it was
        loaded or saved (``model_fields_set``), the JSON ones (their values may have changed
        in place), ``modified`` and ``modified_by``; never ``id``, ``creation``, ``owner``.

        Only what changed: SQLite rewrites the entries of every index over an assigned column,
        changed or not, and a whole-row UPDATE made each save's COMMIT up to twice as dear."""
        mapping = self.mapping
        row = to_row(mapping, entity)
        written = {
            mapping.column_of[name] for name in entity.model_fields_set if name in mapping.column_of
        }
        written.update(_ALWAYS_UPDATED, (mapping.column_of[f] for f in mapping.json_fields))
        written.difference_update(_NEVER_UPDATED)
        return {column: value for column, value in row.items() if column in written}

    def _update_statement(self, with_docstatus: bool) -> Any:
        """``UPDATE ... WHERE id = :w_id [AND _version = :w_version] ...``; the SET clause is
        made of the other parameters' names (every column of ``to_row``)."""
        c = self.table.c
        conditions = [c.id == bindparam("w_id", type_=c.id.type)]
        if self.mapping.has_version:
            conditions.append(c._version == bindparam("w_version", type_=Integer))
        if with_docstatus:
            conditions.append(c.docstatus == bindparam("w_docstatus", type_=Integer))
        if self.mapping.soft_delete:
            conditions.append(c.deleted_at.is_(None))
        return update(self.table).where(*conditions)

    def _delete_statement(self) -> Any:
        return delete(self.table).where(
            self.table.c.id == bindparam("w_id", type_=self.table.c.id.type)
        )

    def _soft_delete_statement(self) -> Any:
        c = self.table.c
        return (
            update(self.table)
            .where(c.id == bindparam("w_id", type_=c.id.type))
            .values(deleted_at=bindparam("w_deleted_at", type_=c.deleted_at.type))
        )

    async def _update_failure(
        self, session: SessionLike, entity: T, expected: int
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

    async def _transition(self, session: SessionLike, entity: T, target: DocStatus, user: Any) -> T:
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
            await self._write_update(session, entity, None, user, docstatus=int(source))
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
    async def _insert_children(self, session: SessionLike, parents: Sequence[T]) -> None:
        for relation in self.mapping.children.values():
            children = self._children_of(relation, parents)
            rows = [row_values(relation.mapping, child) for child in children]
            await self._insert_rows(session, relation.mapping, rows)

    async def _replace_children(self, session: SessionLike, entity: T) -> None:
        for relation in self.mapping.children.values():
            await self._delete_children(session, relation, [entity.id])
            children = self._children_of(relation, [entity])
            rows = [row_values(relation.mapping, child) for child in children]
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
        self, session: SessionLike, relation: ChildRelation, parent_ids: Sequence[UUID]
    ) -> None:
        table = relation.mapping.table
        count = len(parent_ids)

        def build() -> Any:
            parents = [bindparam(f"w_p{i}", type_=table.c.parent.type) for i in range(count)]
            return delete(table).where(
                table.c.parent.in_(parents),
                table.c.parentfield == relation.field,
                table.c.parenttype == self.mapping.name,
            )

        stmt = self._statements.statement(("delete children", relation.field, count), build)
        params = {f"w_p{i}": parent for i, parent in enumerate(parent_ids)}
        await self._write(session, "delete children", stmt, params)

    async def _load_children(
        self, session: SessionLike, parent_ids: Sequence[UUID]
    ) -> dict[UUID, dict[str, builtins.list[BaseDocType]]]:
        """Children of a whole page of parents: one query per child table, never one per parent."""
        loaded: dict[UUID, dict[str, builtins.list[BaseDocType]]] = defaultdict(
            lambda: defaultdict(list)
        )
        params = {f"p{i}": parent for i, parent in enumerate(parent_ids)}
        committed = self._committed(session)
        for relation in self.mapping.children.values():
            count = len(parent_ids)
            stmt = self._children_statement(relation, count)
            if committed:
                key = ("children", relation.field, count)
                rows: Iterable[Any] = await self._fetch(key, stmt, params, None)
            else:
                rows = (await self._run(session, "load children", stmt, params)).mappings()
            for row in rows:
                parent = _as_uuid(row["parent"])
                loaded[parent][relation.field].append(from_row(relation.mapping, row))
        return loaded

    # ------------------------------------------------------------------ helpers
    async def _get_one(self, session: SessionLike, column: str, value: Any) -> T | None:
        key = ("one", column)
        stmt = self._statements.statement(key, lambda: self._one_statement(column))
        if self._committed(session):
            rows = await self._fetch(key, stmt, {"p0": value}, None, point=column == "id")
            row = rows[0] if rows else None
        else:
            row = (await self._run(session, "get", stmt, {"p0": value})).mappings().first()
        if row is None:
            return None
        return (await self._hydrate(session, [row]))[0]

    def _committed(self, session: Any) -> bool:
        """Whether reads for ``session`` may go to the read lane: it has not written yet, so
        it would see just the committed data the lane sees."""
        return self._reader is not None and isinstance(session, DbSession) and session.clean

    async def _hydrate(self, session: SessionLike, rows: Sequence[Any]) -> builtins.list[T]:
        if not rows:
            return []
        if not self.mapping.children:
            return [from_row(self.mapping, row) for row in rows]  # type: ignore[misc]
        ids = [_as_uuid(row["id"]) for row in rows]
        children = await self._load_children(session, ids)
        return [
            from_row(self.mapping, row, children.get(id))  # type: ignore[misc]
            for row, id in zip(rows, ids, strict=True)
        ]

    def _mark_persisted(self, entity: T) -> None:
        entity.mark_persisted()
        for relation in self.mapping.children.values():
            for child in getattr(entity, relation.field):
                child.mark_persisted()

    def _alive(self, stmt: Select[Any]) -> Select[Any]:
        return stmt.where(self.table.c.deleted_at.is_(None)) if self.mapping.soft_delete else stmt

    async def _insert_rows(
        self,
        session: SessionLike,
        mapping: DocTypeMapping,
        records: builtins.list[tuple[Any, ...]],
    ) -> None:
        """Insert ``row_values`` records: by COPY where it applies, else as an INSERT."""
        if not records:
            return
        columns = mapping.row_columns
        if await self._guard(copy_records(session, mapping.table, columns, records), "insert"):
            return
        rows = [dict(zip(columns, record, strict=True)) for record in records]
        stmt = self._statements.statement(("insert", mapping.name), mapping.table.insert)
        # Many rows: one executemany, which SQLAlchemy batches into multi-row INSERTs.
        await self._write(session, "insert", stmt, rows if len(rows) > 1 else rows[0])

    async def _run_hooks(
        self, entity: BaseDocType, hooks: Sequence[HookName], ctx: HookContext
    ) -> None:
        if self.controller_class is None:
            return
        controller = self.controller_class(entity)
        for hook in hooks:
            await getattr(controller, hook)(ctx)

    async def _emit(
        self, session: SessionLike, event_type: str, docs: Sequence[BaseDocType], user: Any
    ) -> None:
        who = _user_id(user) if user is not None else None
        # The serializer itself: model_dump's wrapper costs as much again per document
        # (bulk saves emit thousands), and an empty exclude set more still.
        exclude = self._secret or None
        events = []
        for doc in docs:
            data = doc.__pydantic_serializer__.to_python(
                doc, mode="json", by_alias=True, exclude=exclude
            )
            events.append((data["id"] if "id" in data else str(doc.id), doc.name, data))
        await self._guard(
            self._outbox.add_events(
                session, EVENTS_TARGET, event_type, self.mapping.name, who, events
            ),
            "outbox",
        )

    async def _run(
        self,
        session: SessionLike,
        operation: str,
        stmt: Any,
        params: dict[str, Any] | builtins.list[dict[str, Any]] | None = None,
    ) -> Any:
        return await self._guard(session.execute(stmt, params), operation)

    async def _write(
        self,
        session: SessionLike,
        operation: str,
        stmt: Any,
        params: dict[str, Any] | builtins.list[dict[str, Any]],
        *,
        expect: int | None = None,
        why: Callable[[], Awaitable[FrameworkError]] | None = None,
    ) -> int:
        """Run a cached INSERT/UPDATE/DELETE; the number of rows it touched (-1: deferred).

        ``expect`` rows must change, else ``why()`` is the error. In a write-behind unit of
        work the statement waits for the next statement or the COMMIT (``DbSession.write``);
        its database error is then mapped as it would be here, wherever it surfaces."""
        defer = isinstance(session, DbSession) and session.write_behind

        async def on_failure(error: sa_exc.StatementError | None) -> BaseException:
            if error is not None:
                return map_db_error(error, doctype=self.mapping.name, operation=operation)
            assert why is not None
            return await why()

        return await self._guard(
            execute_write(session, stmt, params, defer=defer, expect=expect, on_failure=on_failure),
            operation,
        )

    async def _guard(self, awaitable: Awaitable[R], operation: str) -> R:
        try:
            return await awaitable
        except sa_exc.SQLAlchemyError as exc:
            raise map_db_error(exc, doctype=self.mapping.name, operation=operation) from exc


_ALWAYS_UPDATED = ("modified", "modified_by")
_NEVER_UPDATED = ("id", "creation", "owner", "_version")
"""``_version`` is set by the UPDATE itself, as its checked value plus one."""


def _check_page(limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise ValidationError("limit and offset must not be negative", limit=limit, offset=offset)


def _as_uuid(value: Any) -> UUID:
    """Ids from the read lane come as their text; SQLAlchemy's as UUIDs."""
    return value if isinstance(value, UUID) else UUID(value)


def _stamp(entity: BaseDocType, now: datetime, who: str | None) -> None:
    """A new document's ``modified``, and its owner (if unset) and ``modified_by`` when saved
    by someone."""
    entity.modified = now
    if who is not None:
        if entity.owner is None:
            entity.owner = who
        entity.modified_by = who


def _user_id(user: Any) -> str:
    return str(getattr(user, "id", user))
