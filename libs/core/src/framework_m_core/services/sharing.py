"""Sharing one document with one more user (``DocumentShare``), through the same checks.

A user may share a document they can read when they own it, administer the site, or were
given it with ``share``; they can pass on ``write`` only if they may write it themselves.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from framework_m_core.doctypes.document_share import DocumentShare
from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.exceptions import EntityNotFoundError, PermissionDeniedError, ValidationError
from framework_m_core.interfaces.repository import FilterSpec
from framework_m_core.services.actor import Actor
from framework_m_core.services.documents import DocumentService


class SharingService:
    def __init__(self, documents: DocumentService) -> None:
        self.documents = documents

    def _shares(self) -> Any:
        return self.documents.repositories.get(DocumentShare)

    async def _may_share(
        self, session: Any, actor: Actor, doctype: type[BaseDocType], doc: BaseDocType
    ) -> bool:
        if self.documents.is_admin(actor) or doc.owner == actor.user.id:
            return True
        page = await self._shares().list(
            session,
            [
                FilterSpec(field="doctype", value=doctype.get_doctype_name()),
                FilterSpec(field="document_id", value=doc.id),
                FilterSpec(field="user_id", value=actor.user.id),
                FilterSpec(field="share", value=True),
            ],
            limit=1,
            with_total=False,
        )
        return bool(page.items)

    async def share(
        self,
        actor: Actor,
        doctype: type[BaseDocType],
        document_id: UUID,
        *,
        user_id: str,
        read: bool = True,
        write: bool = False,
        share: bool = False,
    ) -> DocumentShare:
        """Give ``user_id`` access to one document; sharing again updates the flags."""
        if not user_id.strip():
            raise ValidationError("user_id is required")
        if not (read or write):
            raise ValidationError("A share grants read, write or both")
        name = doctype.get_doctype_name()
        docs = self.documents
        await docs.authorize(actor, doctype, "read")
        async with docs.unit_of_work(doctype.get_meta().bind) as uow:
            doc = await docs.load(uow.session, actor, doctype, document_id, "read")
            if not await self._may_share(uow.session, actor, doctype, doc):
                raise PermissionDeniedError(f"Not permitted to share this {name}")
            if write:
                await docs.load(uow.session, actor, doctype, document_id, "write")
            repo = self._shares()
            existing = await repo.list(
                uow.session,
                [
                    FilterSpec(field="doctype", value=name),
                    FilterSpec(field="document_id", value=document_id),
                    FilterSpec(field="user_id", value=user_id),
                ],
                limit=1,
                with_total=False,
            )
            if existing.items:
                record = existing.items[0]
                record.read, record.write, record.share = read or write, write, share
            else:
                record = DocumentShare(
                    doctype=name,
                    document_id=document_id,
                    user_id=user_id,
                    read=read or write,
                    write=write,
                    share=share,
                )
                record.owner = actor.user.id
            saved: DocumentShare = await repo.save(uow.session, record, user=actor.user)
            await uow.commit()
        docs.changed(DocumentShare)
        return saved

    async def list_shares(
        self, actor: Actor, doctype: type[BaseDocType], document_id: UUID
    ) -> list[DocumentShare]:
        """The shares of a document, for those who may share it."""
        docs = self.documents
        await docs.authorize(actor, doctype, "read")
        async with docs.unit_of_work(doctype.get_meta().bind) as uow:
            doc = await docs.load(uow.session, actor, doctype, document_id, "read")
            if not await self._may_share(uow.session, actor, doctype, doc):
                raise PermissionDeniedError(
                    f"Not permitted to see who this {doctype.get_doctype_name()} is shared with"
                )
            page = await self._shares().list(
                uow.session,
                [
                    FilterSpec(field="doctype", value=doctype.get_doctype_name()),
                    FilterSpec(field="document_id", value=document_id),
                ],
                limit=docs.settings.http.max_page_size,
                with_total=False,
            )
        return list(page.items)

    async def unshare(self, actor: Actor, share_id: UUID) -> None:
        """Remove a share: by whoever created it, the document's owner or an admin."""
        docs = self.documents
        async with docs.unit_of_work() as uow:
            repo = self._shares()
            record = await repo.get(uow.session, share_id)
            if record is None:
                raise EntityNotFoundError(f"Share {share_id} not found", id=str(share_id))
            doctype = docs.registry.get_doctype(record.doctype)
            allowed = docs.is_admin(actor) or record.owner == actor.user.id
            if not allowed:
                try:
                    doc = await docs.load(uow.session, actor, doctype, record.document_id, "read")
                except (PermissionDeniedError, EntityNotFoundError):
                    doc = None
                allowed = doc is not None and doc.owner == actor.user.id
            if not allowed:
                raise PermissionDeniedError("Not permitted to remove this share")
            await repo.delete(uow.session, share_id, user=actor.user)
            await uow.commit()
        docs.changed(DocumentShare)
