"""DocumentService writes on SQLite and PostgreSQL: an update validates the client's values into
the stored document field by field (a whole-document validation where the DocType needs one);
a delete reads the document once. Validation, unstorable values, versions, permissions and
row-level security hold on both paths."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from framework_m_core.bootstrap import Bootstrap
from framework_m_core.exceptions import (
    EntityNotFoundError,
    PermissionDeniedError,
    ValidationError,
    VersionConflictError,
)
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.bootstrap import BootstrapContext
from framework_m_core.services.actor import Actor
from framework_m_core.services.document_input import apply_values
from framework_m_core.services.documents import DocumentService
from framework_m_core.settings import EventSettings, Settings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

APP = '''
from typing import Self

from pydantic import Field, model_validator

from framework_m_core.domain.base_doctype import BaseDocType

CRUD = dict.fromkeys(("read", "write", "create", "delete"), ["Employee"])


class Ledger(BaseDocType):
    title: str = Field(min_length=1, max_length=20)
    qty: int = Field(default=0, ge=0)
    ref: str | None = Field(default=None, alias="reference")
    notes: str | None = None

    class Meta:
        rls_field = "owner"
        permissions = CRUD


class Span(BaseDocType):
    """Checked as a whole: low <= high."""

    low: int = 0
    high: int = 0

    class Meta:
        permissions = CRUD

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        return self
'''


@pytest.fixture
async def app(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BootstrapContext]:
    (tmp_path / "writes_app.py").write_text(textwrap.dedent(APP))
    monkeypatch.syspath_prepend(str(tmp_path))
    settings = Settings(
        database_url=database_url,
        apps=["writes_app"],
        events=EventSettings(relay_enabled=False),  # the outbox rows stay to be looked at
    )
    try:
        async with Bootstrap(settings) as ctx:
            yield ctx
    finally:
        sys.modules.pop("writes_app", None)


def _actor(user: str) -> Actor:
    return Actor(user=UserContext(id=user, email=f"{user}@example.com", roles=["Employee"]))


ALICE, BOB = _actor("alice"), _actor("bob")


def _parts(ctx: BootstrapContext, name: str) -> tuple[DocumentService, Any]:
    documents: DocumentService = ctx.state["documents"]
    return documents, documents.registry.get_doctype(name)


async def _stored(ctx: BootstrapContext, doctype: Any, id: Any) -> Any:
    database: DatabaseRuntime = ctx.state["database"]
    async with database.unit_of_work() as uow:
        return await database.repositories.get(doctype).get(uow.session, id)


async def _outbox_payloads(app: BootstrapContext) -> list[dict[str, Any]]:
    """The event payloads in the outbox, oldest first (the relay is off: they stay)."""
    database: DatabaseRuntime = app.state["database"]
    table = database.outbox.table
    async with database.unit_of_work() as uow:
        result = await uow.session.execute(select(table.c.payload).order_by(table.c.created_at))
        return list(result.scalars().all())


async def test_update_validates_the_values_into_the_stored_document(
    app: BootstrapContext,
) -> None:
    documents, ledger = _parts(app, "Ledger")
    probe = ledger(title="probe")
    assert apply_values(probe, {"qty": "3"}) is probe  # field by field, in place
    assert probe.qty == 3
    doc = await documents.create(ALICE, ledger, {"title": "first", "qty": 1, "notes": "kept"})
    saved = await documents.update(ALICE, ledger, doc.id, {"qty": "7", "ref": "R-1"})
    assert (saved.qty, saved.ref, saved.title, saved.notes) == (7, "R-1", "first", "kept")
    assert saved.version == doc.version + 1
    assert saved.modified_by == "alice"
    stored = await _stored(app, ledger, doc.id)
    assert (stored.qty, stored.ref, stored.notes, stored.version) == (7, "R-1", "kept", 1)
    # The update's event carries the whole document as stored.
    updated = (await _outbox_payloads(app))[-1]
    assert updated["type"] == "doc.updated"
    assert updated["data"]["qty"] == 7
    assert updated["data"]["reference"] == "R-1"
    assert updated["data"]["notes"] == "kept"


async def test_invalid_or_unstorable_values_change_nothing(app: BootstrapContext) -> None:
    documents, ledger = _parts(app, "Ledger")
    doc = await documents.create(ALICE, ledger, {"title": "first", "qty": 1})
    with pytest.raises(ValidationError) as invalid:
        await documents.update(ALICE, ledger, doc.id, {"title": "ok", "qty": -1})
    assert [e["loc"] for e in invalid.value.context["errors"]] == [["qty"]]
    with pytest.raises(ValidationError) as too_big:
        await documents.update(ALICE, ledger, doc.id, {"qty": 2**70})
    assert too_big.value.context["errors"][0]["type"] == "unstorable_value"
    with pytest.raises(ValidationError):
        await documents.update(ALICE, ledger, doc.id, {"title": ""})
    stored = await _stored(app, ledger, doc.id)
    assert (stored.title, stored.qty, stored.version) == ("first", 1, 0)


async def test_a_doctype_checked_as_a_whole_is_validated_as_a_whole(
    app: BootstrapContext,
) -> None:
    documents, span = _parts(app, "Span")
    assert apply_values(span(low=1, high=2), {"low": 3}) is None  # not field by field
    doc = await documents.create(ALICE, span, {"low": 1, "high": 5})
    with pytest.raises(ValidationError):
        await documents.update(ALICE, span, doc.id, {"low": 9})  # low > the stored high
    saved = await documents.update(ALICE, span, doc.id, {"low": 4})
    assert (saved.low, saved.high) == (4, 5)


async def test_versions_and_row_level_security_still_hold(app: BootstrapContext) -> None:
    documents, ledger = _parts(app, "Ledger")
    doc = await documents.create(ALICE, ledger, {"title": "mine"})
    await documents.update(ALICE, ledger, doc.id, {"qty": 2})
    with pytest.raises(VersionConflictError):
        await documents.update(ALICE, ledger, doc.id, {"qty": 3, "_version": 0})
    with pytest.raises(PermissionDeniedError):
        await documents.update(BOB, ledger, doc.id, {"qty": 4})
    stored = await _stored(app, ledger, doc.id)
    assert (stored.qty, stored.version) == (2, 1)


async def test_delete_reads_the_document_once_and_keeps_every_check(
    app: BootstrapContext,
) -> None:
    documents, ledger = _parts(app, "Ledger")
    doc = await documents.create(ALICE, ledger, {"title": "gone soon"})
    with pytest.raises(PermissionDeniedError):
        await documents.delete(BOB, ledger, doc.id)
    database: DatabaseRuntime = app.state["database"]
    reads: list[str] = []

    def seen(sql: str, *_: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT") and "ledger" in sql:
            reads.append(sql)

    def engine_seen(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen(sql)

    database.connections.trace.listeners.append(seen)
    engine = database.connections.get_engine().sync_engine
    event.listen(engine, "before_cursor_execute", engine_seen)
    try:
        await documents.delete(ALICE, ledger, doc.id)
    finally:
        database.connections.trace.listeners.remove(seen)
        event.remove(engine, "before_cursor_execute", engine_seen)
    assert len(reads) == 1  # the permission-checked load; the delete does not read again
    assert await _stored(app, ledger, doc.id) is None
    with pytest.raises(EntityNotFoundError):
        await documents.delete(ALICE, ledger, doc.id)
    deleted = (await _outbox_payloads(app))[-1]
    assert (deleted["type"], deleted["id"]) == ("doc.deleted", str(doc.id))
    assert deleted["data"]["title"] == "gone soon"
