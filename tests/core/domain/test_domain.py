"""BaseDocType, Meta resolution, controllers, DocStatus, uuid7 and naming rules."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from pydantic import PrivateAttr

from framework_m_core.domain.base_controller import BaseController
from framework_m_core.domain.base_doctype import BaseChildDocType, BaseDocType
from framework_m_core.domain.ids import uuid7
from framework_m_core.domain.meta import snake_case
from framework_m_core.domain.mixins import DocStatus, SubmittableMixin
from framework_m_core.domain.naming import NamingRule, SeriesPattern, name_from_field
from framework_m_core.exceptions import NamingError


class Ticket(BaseDocType, SubmittableMixin):
    subject: str
    team: str | None = None

    class Meta:
        naming = "series:TCK-.YY.MM.-.#####"
        permissions = {"read": ["Support"], "write": ["Support"]}
        rls_field = "team"
        layout = {"sections": [["subject"]]}


class UrgentTicket(Ticket):
    class Meta:
        table_name = "urgent"


class TicketController(BaseController[Ticket]):
    pass


def test_standard_fields_and_defaults() -> None:
    t = Ticket(subject="Printer")
    assert t.id.version == 7
    assert t.name is None
    assert t.version == 0
    assert t.creation.tzinfo is UTC
    assert t.is_new()
    t.mark_persisted()
    assert not t.is_new()
    assert not t.model_copy().is_new(), "a copy of a stored document is stored"
    assert not copy.deepcopy(t).is_new()
    assert Ticket(subject="y").is_new(), "the flag is the document's own, not the class's"
    assert Ticket.model_construct(subject="c").is_new()
    assert "_persisted" not in t.model_dump()
    assert t == t.model_copy()
    assert Ticket.model_validate({"subject": "x", "_version": 3}).version == 3
    assert t.model_dump(by_alias=True)["_version"] == 0


class CachedTicket(Ticket):
    """A DocType with private attributes of its own: pydantic keeps them beside the flag."""

    _cache: dict[str, int] = PrivateAttr(default_factory=dict)


def test_saved_flag_beside_private_attributes_of_a_doctype() -> None:
    doc = CachedTicket(subject="x")
    doc._cache["hits"] = 1
    assert doc.is_new()
    doc.mark_persisted()
    assert not doc.is_new()
    assert doc._cache == {"hits": 1}
    assert not doc.model_copy().is_new()
    fresh = CachedTicket(subject="y")
    assert fresh.is_new()
    assert fresh._cache == {}


def test_meta_is_resolved_and_inherited() -> None:
    meta = Ticket.get_meta()
    assert (meta.name, meta.table_name, meta.label) == ("Ticket", "ticket", "Ticket")
    assert Ticket.get_permissions() == {"read": ["Support"], "write": ["Support"]}
    assert Ticket.get_layout() == {"sections": [["subject"]]}
    assert meta.rls_field == "team"
    assert meta.concurrency == "optimistic"
    urgent = UrgentTicket.get_meta()
    assert (urgent.name, urgent.table_name) == ("UrgentTicket", "urgent")
    assert urgent.naming == meta.naming  # inherited
    assert BaseChildDocType.get_meta().is_child_table
    assert snake_case("HTTPRequestLog") == "http_request_log"


def test_controller_knows_its_doctype() -> None:
    assert TicketController.doctype is Ticket
    assert TicketController(Ticket(subject="a")).doc.subject == "a"


def test_docstatus() -> None:
    t = Ticket(subject="x")
    assert t.can_edit()
    assert not t.is_submitted()
    t.docstatus = DocStatus.SUBMITTED
    assert t.is_submitted()
    assert not t.can_edit()
    t.docstatus = DocStatus.CANCELLED
    assert t.is_cancelled()
    assert not t.can_edit()
    assert [int(s) for s in DocStatus] == [0, 1, 2]


def test_uuid7_is_time_ordered_and_unique() -> None:
    ids = [uuid7() for _ in range(5000)]
    assert len(set(ids)) == 5000
    assert ids == sorted(ids)
    assert all(i.version == 7 and i.variant == "specified in RFC 4122" for i in ids[:10])


def test_series_patterns() -> None:
    now = datetime(2026, 3, 7, tzinfo=UTC)
    key = SeriesPattern.parse("INV-.YYYY.-.####").render(Ticket(subject="s"), now)
    assert key.format(12) == "INV-2026-0012"
    key = SeriesPattern.parse("TCK-.YY.MM.DD.-.###.-{subject}").render(Ticket(subject="lab"), now)
    assert key.format(7) == "TCK-260307-007-lab"
    with pytest.raises(NamingError):
        SeriesPattern.parse("NO-COUNTER-.YYYY.")
    with pytest.raises(NamingError):
        SeriesPattern.parse("INV-.{team}.-.##").render(Ticket(subject="s"), now)


def test_naming_rules() -> None:
    assert NamingRule.parse("uuid").kind == "uuid"
    assert NamingRule.parse("field:subject").argument == "subject"
    assert NamingRule.parse("series:A-.##").kind == "series"
    for bad in ("", "field:", "series:A-.YYYY.", "random"):
        with pytest.raises(NamingError):
            NamingRule.parse(bad)
    assert name_from_field(Ticket(subject=" Printer "), "subject") == "Printer"
    with pytest.raises(NamingError):
        name_from_field(Ticket(subject="x"), "team")
