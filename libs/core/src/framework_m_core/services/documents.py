"""``DocumentService``: every read and write of a document, permission-checked.

HTTP handlers, RPC, jobs and the CLI all come through here, so a rule is enforced once:
role permissions, row-level security (owner / team / field / shares), tenant isolation,
hidden fields, immutability of submitted documents and optimistic concurrency.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar, cast, runtime_checkable
from uuid import UUID

from framework_m_core.doctypes.custom_permission import CustomPermission
from framework_m_core.doctypes.document_share import DocumentShare
from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.domain.storable import unstorable
from framework_m_core.exceptions import (
    DocTypeNotFoundError,
    EntityNotFoundError,
    InvalidQueryError,
    PermissionDeniedError,
    ValidationError,
    VersionConflictError,
)
from framework_m_core.interfaces.permission import PermissionAction, PermissionProtocol
from framework_m_core.interfaces.repository import (
    Condition,
    FilterGroup,
    FilterSpec,
    OrderSpec,
    PaginatedResult,
    RecordReaderProtocol,
    RepositoryFactoryProtocol,
    RepositoryProtocol,
)
from framework_m_core.interfaces.unit_of_work import UnitOfWorkFactoryProtocol
from framework_m_core.registry import MetaRegistry
from framework_m_core.services.actor import Actor
from framework_m_core.services.document_input import (
    apply_values,
    build_document,
    client_values,
    version_of,
)
from framework_m_core.settings import Settings
from framework_m_core.tenancy import tenant_field, tenant_filters

T = TypeVar("T", bound=BaseDocType)


@runtime_checkable
class LoadedDeleteProtocol(Protocol):
    """A repository that deletes a document the caller has just loaded, without reading it
    again (``GenericRepository``); others are asked to ``delete`` by id."""

    async def delete_loaded(self, session: Any, entity: Any, *, user: Any = None) -> None: ...


class DocumentService:
    def __init__(
        self,
        *,
        registry: MetaRegistry,
        repositories: RepositoryFactoryProtocol,
        unit_of_work: UnitOfWorkFactoryProtocol,
        permission: PermissionProtocol,
        settings: Settings,
    ) -> None:
        self.registry = registry
        self.repositories = repositories
        self.unit_of_work = unit_of_work
        self.permission = permission
        self.settings = settings
        self._readers: dict[type[BaseDocType], RecordReaderProtocol | None] = {}
        self._loaded_deleters: dict[type[Any], bool] = {}

    # ------------------------------------------------------------ metadata
    def resource(self, name: str) -> type[BaseDocType]:
        """The DocType served as an API resource under this name; child tables are not."""
        try:
            doctype = self.registry.get_doctype(name)
        except DocTypeNotFoundError:
            raise DocTypeNotFoundError(f"Unknown DocType {name!r}", doctype=name) from None
        meta = doctype.get_meta()
        if not meta.api_resource or meta.is_child_table:
            raise DocTypeNotFoundError(f"Unknown DocType {name!r}", doctype=name)
        return doctype

    def is_admin(self, actor: Actor) -> bool:
        user = actor.user
        if user.is_system_user:
            return True
        config = self.settings.permissions
        return config.admin_bypass and any(user.has_role(role) for role in config.admin_roles)

    def hidden_fields(self, actor: Actor, doctype: type[BaseDocType]) -> frozenset[str]:
        """Fields this actor may neither see nor write."""
        meta = doctype.get_meta()
        hidden = set(meta.sensitive_fields)
        if not self.is_admin(actor):
            for field, roles in meta.field_permissions.items():
                if not any(actor.user.has_role(role) for role in roles):
                    hidden.add(field)
        return frozenset(hidden)

    def serialize(
        self,
        actor: Actor,
        doc: BaseDocType,
        *,
        fields: Sequence[str] | None = None,
        hidden: frozenset[str] | None = None,
    ) -> dict[str, Any]:
        """The JSON form of a document as this actor may see it (``fields`` selects some)."""
        hidden = self.hidden_fields(actor, type(doc)) if hidden is None else hidden
        include = None if fields is None else {"id", *fields}
        # No exclude rather than an empty one: pydantic walks an empty set for every field.
        exclude = set(hidden) if hidden else None
        return doc.model_dump(mode="json", by_alias=True, exclude=exclude, include=include)

    def check_fields(
        self, actor: Actor, doctype: type[BaseDocType], fields: Sequence[str]
    ) -> list[str]:
        """Field names normalised (``_version``), each a visible field of the DocType."""
        hidden = self.hidden_fields(actor, doctype)
        checked: list[str] = []
        for field in fields:
            name = "version" if field == "_version" else field
            if name not in doctype.model_fields or name in hidden:
                raise InvalidQueryError(
                    f"{doctype.get_doctype_name()} has no field {field!r}", field=field
                )
            checked.append(name)
        return checked

    # ------------------------------------------------------------ permission helpers
    async def authorize(
        self, actor: Actor, doctype: type[BaseDocType], action: PermissionAction
    ) -> None:
        """Raise ``PermissionDeniedError`` unless the actor may do ``action`` on the DocType."""
        name = doctype.get_doctype_name()
        if not await self.permission.has_permission(actor.permission_user, name, action):
            raise PermissionDeniedError(
                f"Not permitted to {action} {name}", doctype=name, action=action
            )

    async def row_filters(
        self, actor: Actor, doctype: type[BaseDocType], action: PermissionAction
    ) -> list[Condition]:
        """Row-level security plus tenant isolation for this actor and action."""
        conditions: list[Condition] = list(
            await self.permission.get_permitted_filters(
                actor.permission_user, doctype.get_doctype_name(), action
            )
        )
        conditions.extend(tenant_filters(doctype, actor.tenant, self.settings.tenancy))
        return conditions

    def _repo(self, doctype: type[T]) -> RepositoryProtocol[T]:
        return self.repositories.get(doctype)

    def changed(self, doctype: type[BaseDocType]) -> None:
        """After a commit: permission data cached in this process is stale once it changes."""
        if doctype is CustomPermission or doctype is DocumentShare:
            invalidate = getattr(self.permission, "invalidate_rules", None)
            if callable(invalidate):
                invalidate()

    async def load(
        self,
        session: Any,
        actor: Actor,
        doctype: type[T],
        id: UUID,
        action: PermissionAction,
    ) -> T:
        """The document if the actor may ``action`` it: 404 when absent, 403 when not theirs."""
        repo = self._repo(doctype)
        conditions = await self.row_filters(actor, doctype, action)
        page = await repo.list(
            session, [FilterSpec(field="id", value=id), *conditions], limit=1, with_total=False
        )
        if page.items:
            return page.items[0]
        name = doctype.get_doctype_name()
        tenant_only = tenant_filters(doctype, actor.tenant, self.settings.tenancy)
        if await repo.count(session, [FilterSpec(field="id", value=id), *tenant_only]) == 0:
            raise EntityNotFoundError(f"{name} {id} not found", doctype=name, id=str(id))
        raise self._denied(doctype, action, id)

    # ------------------------------------------------------------ reads
    async def list(
        self,
        actor: Actor,
        doctype: type[T],
        *,
        filters: Sequence[FilterSpec] = (),
        order_by: Sequence[OrderSpec] = (),
        limit: int | None = None,
        offset: int = 0,
        with_total: bool = True,
    ) -> PaginatedResult[T]:
        """A page of the documents the actor may read, matching the filters."""
        await self.authorize(actor, doctype, "read")
        self._check_query(actor, doctype, filters, order_by)
        limit = self._page_size(limit)
        conditions = [*filters, *await self.row_filters(actor, doctype, "read")]
        async with self.unit_of_work(doctype.get_meta().bind) as uow:
            return await self._repo(doctype).list(
                uow.session,
                conditions,
                order_by or None,
                limit,
                offset,
                with_total=with_total,
            )

    async def count(
        self, actor: Actor, doctype: type[BaseDocType], *, filters: Sequence[FilterSpec] = ()
    ) -> int:
        await self.authorize(actor, doctype, "read")
        self._check_query(actor, doctype, filters, ())
        conditions = [*filters, *await self.row_filters(actor, doctype, "read")]
        async with self.unit_of_work(doctype.get_meta().bind) as uow:
            return await self._repo(doctype).count(uow.session, conditions)

    # ------------------------------------------------------------ records (the fast read path)
    async def list_records(
        self,
        actor: Actor,
        doctype: type[BaseDocType],
        *,
        filters: Sequence[FilterSpec] = (),
        order_by: Sequence[OrderSpec] = (),
        limit: int | None = None,
        offset: int = 0,
        fields: Sequence[str] | None = None,
        after: str | None = None,
        with_total: bool = False,
    ) -> PaginatedResult[dict[str, Any]]:
        """``list`` as JSON-ready dicts without hidden fields: what the HTTP API sends."""
        await self.authorize(actor, doctype, "read")
        self._check_query(actor, doctype, filters, order_by)
        limit = self._page_size(limit)
        hidden = self.hidden_fields(actor, doctype)
        selected = None if fields is None else self.check_fields(actor, doctype, fields)
        conditions = [*filters, *await self.row_filters(actor, doctype, "read")]
        reader = self._reader(doctype)
        if reader is not None:
            return await reader.list_records(
                conditions,
                order_by or None,
                limit,
                offset,
                fields=selected,
                exclude=hidden,
                after=after,
                with_total=with_total,
            )
        if after is not None:
            raise InvalidQueryError(f"{doctype.get_doctype_name()} has no keyset pagination")
        async with self.unit_of_work(doctype.get_meta().bind) as uow:
            page = await self._repo(doctype).list(
                uow.session, conditions, order_by or None, limit, offset, with_total=with_total
            )
        items = [self.serialize(actor, doc, fields=selected, hidden=hidden) for doc in page.items]
        return PaginatedResult[dict[str, Any]](
            items=items, total=page.total, limit=limit, offset=offset, has_more=page.has_more
        )

    async def get_record(
        self,
        actor: Actor,
        doctype: type[BaseDocType],
        id: UUID,
        *,
        fields: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """``get`` as a JSON-ready dict without hidden fields (404 absent, 403 not theirs)."""
        await self.authorize(actor, doctype, "read")
        hidden = self.hidden_fields(actor, doctype)
        selected = None if fields is None else self.check_fields(actor, doctype, fields)
        reader = self._reader(doctype)
        if reader is None:
            async with self.unit_of_work(doctype.get_meta().bind) as uow:
                doc = await self.load(uow.session, actor, doctype, id, "read")
            return self.serialize(actor, doc, fields=selected, hidden=hidden)
        by_id = FilterSpec(field="id", value=id)
        conditions = [by_id, *await self.row_filters(actor, doctype, "read")]
        page = await reader.list_records(conditions, limit=1, fields=selected, exclude=hidden)
        if page.items:
            return page.items[0]
        tenant_only = tenant_filters(doctype, actor.tenant, self.settings.tenancy)
        if await reader.count_records([by_id, *tenant_only], limit=0) == 0:
            name = doctype.get_doctype_name()
            raise EntityNotFoundError(f"{name} {id} not found", doctype=name, id=str(id))
        raise self._denied(doctype, "read", id)

    async def count_capped(
        self, actor: Actor, doctype: type[BaseDocType], *, filters: Sequence[FilterSpec] = ()
    ) -> tuple[int, bool]:
        """``(count, exact)``: at most ``http.count_limit`` rows are counted."""
        reader = self._reader(doctype)
        if reader is None:
            return await self.count(actor, doctype, filters=filters), True
        await self.authorize(actor, doctype, "read")
        self._check_query(actor, doctype, filters, ())
        conditions = [*filters, *await self.row_filters(actor, doctype, "read")]
        cap = self.settings.http.count_limit
        counted = await reader.count_records(conditions, limit=cap)
        return min(counted, cap), counted <= cap

    def _reader(self, doctype: type[BaseDocType]) -> RecordReaderProtocol | None:
        readers = self._readers
        if doctype not in readers:
            repo = self._repo(doctype)
            readers[doctype] = repo if isinstance(repo, RecordReaderProtocol) else None
        return readers[doctype]

    def _deletes_loaded(self, repo: Any) -> bool:
        kind = type(repo)
        known = self._loaded_deleters.get(kind)
        if known is None:
            known = self._loaded_deleters[kind] = isinstance(repo, LoadedDeleteProtocol)
        return known

    def _denied(
        self, doctype: type[BaseDocType], action: PermissionAction, id: UUID
    ) -> PermissionDeniedError:
        name = doctype.get_doctype_name()
        return PermissionDeniedError(
            f"Not permitted to {action} this {name}", doctype=name, action=action, id=str(id)
        )

    async def get(self, actor: Actor, doctype: type[T], id: UUID) -> T:
        return await self.get_for(actor, doctype, id, "read")

    async def get_for(
        self, actor: Actor, doctype: type[T], id: UUID, action: PermissionAction
    ) -> T:
        """The document, if the actor may do ``action`` on it (404 / 403 otherwise)."""
        await self.authorize(actor, doctype, action)
        async with self.unit_of_work(doctype.get_meta().bind) as uow:
            return await self.load(uow.session, actor, doctype, id, action)

    # ------------------------------------------------------------ writes
    async def create(self, actor: Actor, doctype: type[T], data: Any) -> T:
        """Validate, set owner (and tenant), run hooks, insert; returns the saved document."""
        await self.authorize(actor, doctype, "create")
        entity = self.new_document(actor, doctype, data)
        async with self.unit_of_work(doctype.get_meta().bind, write_behind=True) as uow:
            saved = await self._repo(doctype).save(uow.session, entity, user=actor.user)
            await uow.commit()
        self.changed(doctype)
        return saved

    def new_document(self, actor: Actor, doctype: type[T], data: Any) -> T:
        """A validated, unsaved document from client ``data``, owned by the actor (and in their
        tenant). The caller has checked the ``create`` permission (``create``, bulk imports)."""
        values = client_values(
            doctype, data, hidden=self.hidden_fields(actor, doctype), creating=True
        )
        field = tenant_field(doctype, self.settings.tenancy)
        if field is not None and actor.tenant is not None:
            given = values.get(field)
            if given not in (None, actor.tenant.tenant_id):
                raise PermissionDeniedError("Documents can only be created in your tenant")
            values[field] = actor.tenant.tenant_id
        entity = build_document(doctype, values)
        entity.owner = actor.user.id
        return entity

    async def update(self, actor: Actor, doctype: type[T], id: UUID, data: Any) -> T:
        """Merge ``data`` into the stored document; ``_version`` in ``data`` is checked."""
        await self.authorize(actor, doctype, "write")
        async with self.unit_of_work(doctype.get_meta().bind, write_behind=True) as uow:
            saved = await self._update_one(uow.session, actor, doctype, id, data)
            await uow.commit()
        self.changed(doctype)
        return saved

    async def _update_one(
        self, session: Any, actor: Actor, doctype: type[T], id: UUID, data: Any
    ) -> T:
        values = client_values(
            doctype, data, hidden=self.hidden_fields(actor, doctype), creating=False
        )
        version = version_of(data)
        current = await self.load(session, actor, doctype, id, "write")
        docstatus = data.get("docstatus") if isinstance(data, Mapping) else None
        if docstatus is not None and docstatus != getattr(current, "docstatus", None):
            raise ValidationError("Change docstatus with the submit and cancel actions")
        field = tenant_field(doctype, self.settings.tenancy)
        if field is not None and field in values and values[field] != getattr(current, field):
            raise PermissionDeniedError("A document cannot move to another tenant")
        stored = current.version
        entity = apply_values(current, values)
        if entity is None:
            merged = {**current.model_dump(by_alias=True), **values}
            entity = build_document(doctype, merged)
            entity.mark_persisted()
        return await self._repo(doctype).save(
            session, entity, stored if version is None else version, user=actor.user
        )

    async def delete(self, actor: Actor, doctype: type[BaseDocType], id: UUID) -> None:
        await self.authorize(actor, doctype, "delete")
        async with self.unit_of_work(doctype.get_meta().bind, write_behind=True) as uow:
            doc = await self.load(uow.session, actor, doctype, id, "delete")
            repo = self._repo(doctype)
            if self._deletes_loaded(repo):
                # The document just loaded (permission-checked) is the one deleted: no second read.
                deleter = cast("LoadedDeleteProtocol", repo)
                await deleter.delete_loaded(uow.session, doc, user=actor.user)
            else:
                await repo.delete(uow.session, id, user=actor.user)
            await uow.commit()
        self.changed(doctype)

    async def submit(
        self, actor: Actor, doctype: type[T], id: UUID, version: int | None = None
    ) -> T:
        return await self._transition(actor, doctype, id, "submit", version)

    async def cancel(
        self, actor: Actor, doctype: type[T], id: UUID, version: int | None = None
    ) -> T:
        return await self._transition(actor, doctype, id, "cancel", version)

    async def _transition(
        self,
        actor: Actor,
        doctype: type[T],
        id: UUID,
        action: PermissionAction,
        version: int | None,
    ) -> T:
        if not doctype.get_meta().is_submittable:
            raise ValidationError(f"{doctype.get_doctype_name()} is not submittable")
        await self.authorize(actor, doctype, action)
        async with self.unit_of_work(doctype.get_meta().bind, write_behind=True) as uow:
            entity = await self.load(uow.session, actor, doctype, id, action)
            if version is not None and version != entity.version:
                raise VersionConflictError(
                    f"{doctype.get_doctype_name()} {entity.name} was changed by someone else",
                    expected=version,
                    actual=entity.version,
                )
            repo = self._repo(doctype)
            step = repo.submit if action == "submit" else repo.cancel
            saved = await step(uow.session, entity, user=actor.user)
            await uow.commit()
        return saved

    # ------------------------------------------------------------ bulk
    async def bulk_update(
        self,
        actor: Actor,
        doctype: type[BaseDocType],
        data: Any,
        *,
        filters: Sequence[FilterSpec] = (),
        ids: Sequence[UUID] = (),
    ) -> builtins.list[UUID]:
        """Apply ``data`` to every document matched that the actor may write; all or nothing."""
        await self.authorize(actor, doctype, "write")
        client_values(doctype, data, hidden=self.hidden_fields(actor, doctype), creating=False)
        async with self.unit_of_work(doctype.get_meta().bind, write_behind=True) as uow:
            targets = await self._bulk_targets(uow.session, actor, doctype, "write", filters, ids)
            for id in targets:
                await self._update_one(uow.session, actor, doctype, id, data)
            await uow.commit()
        self.changed(doctype)
        return targets

    async def bulk_delete(
        self,
        actor: Actor,
        doctype: type[BaseDocType],
        *,
        filters: Sequence[FilterSpec] = (),
        ids: Sequence[UUID] = (),
    ) -> builtins.list[UUID]:
        """Delete every document matched that the actor may delete; all or nothing."""
        await self.authorize(actor, doctype, "delete")
        async with self.unit_of_work(doctype.get_meta().bind, write_behind=True) as uow:
            targets = await self._bulk_targets(uow.session, actor, doctype, "delete", filters, ids)
            repo = self._repo(doctype)
            for id in targets:
                await repo.delete(uow.session, id, user=actor.user)
            await uow.commit()
        self.changed(doctype)
        return targets

    async def _bulk_targets(
        self,
        session: Any,
        actor: Actor,
        doctype: type[BaseDocType],
        action: PermissionAction,
        filters: Sequence[FilterSpec],
        ids: Sequence[UUID],
    ) -> builtins.list[UUID]:
        if not filters and not ids:
            raise ValidationError("A bulk operation needs filters or ids")
        self._check_query(actor, doctype, filters, ())
        conditions: list[Condition] = [*filters, *await self.row_filters(actor, doctype, action)]
        if ids:
            conditions.append(FilterSpec(field="id", operator="in", value=list(ids)))
        limit = self.settings.http.max_bulk_size
        page = await self._repo(doctype).list(
            session, conditions, [OrderSpec(field="id")], limit, 0, with_total=False
        )
        if page.has_more:
            raise ValidationError(
                f"More than {limit} documents match; narrow the filters", limit=limit
            )
        return [doc.id for doc in page.items]

    # ------------------------------------------------------------ input
    def _check_query(
        self,
        actor: Actor,
        doctype: type[BaseDocType],
        filters: Sequence[Condition],
        order_by: Sequence[OrderSpec],
    ) -> None:
        """Hidden fields cannot be filtered or sorted on (that would leak their values)."""
        specs: list[FilterSpec] = []
        for spec in filters:
            if isinstance(spec, FilterGroup):
                specs.extend(s for group in spec.any_of for s in group if isinstance(s, FilterSpec))
            else:
                specs.append(spec)
        for spec in specs:
            if reason := unstorable(spec.value):
                raise InvalidQueryError(
                    f"The filter value for {spec.field!r} {reason}", field=spec.field
                )
        names = [spec.field for spec in specs]
        names.extend(spec.field for spec in order_by)
        hidden = self.hidden_fields(actor, doctype)
        for name in names:
            if name in hidden:
                raise InvalidQueryError(
                    f"{doctype.get_doctype_name()} has no field {name!r}", field=name
                )

    def _page_size(self, limit: int | None) -> int:
        http = self.settings.http
        if limit is None:
            return http.default_page_size
        if limit < 0 or limit > http.max_page_size:
            raise InvalidQueryError(
                f"limit must be between 0 and {http.max_page_size}", limit=limit
            )
        return limit
