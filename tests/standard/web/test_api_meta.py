"""GET /api/meta and /api/meta/{DocType} answer the Desk's contract (frontend/src/api/types.ts).

Widgets (``fieldtype``) come from the Pydantic annotations of ``desk_sample.Gadget``, which has
a field of every type; field permissions keep hiding fields (and list columns) from other roles.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from live_server import LiveServer, serve

from service_support import DATABASES

APPS = '["web_sample", "desk_sample"]'

FIELD_META_KEYS = {
    "name",
    "label",
    "description",
    "required",
    "read_only",
    "hidden",
    "in_list_view",
    "fieldtype",
    "options",
    "link_doctype",
    "child",
    "schema",
}


@pytest.fixture(scope="module", params=DATABASES)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("meta-site")
    with serve(request.param, root, extra_env={"FRAMEWORK_M_APPS": APPS}) as server:
        yield server


def _meta(server: LiveServer, user: str, doctype: str) -> dict[str, Any]:
    with server.client(user) as client:
        response = client.get(f"/api/meta/{doctype}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _fields(meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in meta["fields"]}


def test_every_fieldtype_comes_from_the_annotation(live_server: LiveServer) -> None:
    fields = _fields(_meta(live_server, "admin", "Gadget"))
    assert {name: field["fieldtype"] for name, field in fields.items()} == {
        "id": "uuid",
        "name": "data",
        "owner": "data",
        "creation": "datetime",
        "modified": "datetime",
        "modified_by": "data",
        "_version": "int",
        "code": "data",  # max_length 40
        "notes": "text",  # no limit
        "summary": "text",  # max_length 200, but json_schema_extra says text
        "pin": "password",  # json_schema_extra
        "count": "int",
        "ratio": "float",
        "price": "currency",
        "active": "check",
        "kind": "select",
        "size": "select",
        "due": "date",
        "seen_at": "datetime",
        "opens_at": "time",
        "extra": "json",
        "tags": "json",
        "customer": "link",
        "ref": "uuid",
        "parts": "table",
    }
    for field in fields.values():
        assert set(field) == FIELD_META_KEYS, field["name"]
    assert fields["kind"]["options"] == ["tool", "toy"]
    assert fields["size"]["options"] == ["S", "L"]
    assert fields["code"]["options"] is None
    assert fields["customer"]["link_doctype"] == "Customer"
    assert fields["ref"]["link_doctype"] is None
    assert fields["code"]["schema"]["maxLength"] == 40
    assert fields["code"]["label"] == "Code"
    assert fields["seen_at"]["label"] == "Seen At"
    assert all(field["child"] is None for name, field in fields.items() if name != "parts")


def test_a_child_table_is_described_like_its_parent(live_server: LiveServer) -> None:
    parts = _fields(_meta(live_server, "admin", "Gadget"))["parts"]
    assert parts["child"]["doctype"] == "GadgetPart"
    columns = {field["name"]: field for field in parts["child"]["fields"]}
    assert columns["part_name"]["fieldtype"] == "data"
    assert columns["part_name"]["required"] is True
    assert columns["part_name"]["in_list_view"] is True
    assert columns["qty"]["fieldtype"] == "int"
    assert columns["cost"]["fieldtype"] == "currency"
    assert columns["cost"]["schema"]["anyOf"]  # a Decimal: a number or a string
    for system in ("id", "_version", "parent", "parenttype", "parentfield", "idx"):
        assert columns[system]["hidden"] is True, system
        assert columns[system]["read_only"] is True, system
    assert columns["part_name"]["hidden"] is False
    assert all(set(field) == FIELD_META_KEYS for field in columns.values())
    order_lines = _fields(_meta(live_server, "alice", "Order"))["lines"]["child"]
    assert order_lines["doctype"] == "OrderLine"
    assert {f["name"]: f["fieldtype"] for f in order_lines["fields"]}["rate"] == "currency"


def test_system_fields_are_hidden_or_read_only(live_server: LiveServer) -> None:
    fields = _fields(_meta(live_server, "alice", "Order"))
    assert (fields["id"]["hidden"], fields["id"]["read_only"]) == (True, True)
    assert (fields["_version"]["hidden"], fields["_version"]["read_only"]) == (True, True)
    for name in ("owner", "creation", "modified", "modified_by", "docstatus"):
        assert (fields[name]["hidden"], fields[name]["read_only"]) == (False, True), name
    assert fields["docstatus"]["fieldtype"] == "select"
    assert fields["docstatus"]["options"] == ["0", "1", "2"]
    assert (fields["name"]["hidden"], fields["name"]["read_only"]) == (False, False)
    assert fields["customer"]["read_only"] is False


def test_module_and_default_list_columns(live_server: LiveServer) -> None:
    gadget = _meta(live_server, "admin", "Gadget")
    assert gadget["module"] == "desk_sample"
    assert gadget["list_fields"] == ["code", "ratio", "kind", "price"]  # Meta.list_fields
    in_list = [f["name"] for f in gadget["fields"] if f["in_list_view"]]
    assert sorted(in_list) == sorted(gadget["list_fields"])
    note = _meta(live_server, "alice", "Note")
    assert note["module"] == "web_sample"
    # Derived: the title field, then select and required fields.
    assert note["list_fields"] == ["title", "status"]
    order = _meta(live_server, "alice", "Order")
    assert order["list_fields"] == ["customer"]  # docstatus is the server's
    user = _meta(live_server, "admin", "User")
    assert user["module"] == "core"
    assert user["list_fields"] == ["full_name", "email"]
    assert user["title_field"] == "full_name"


def test_field_permissions_still_hide_fields_columns_and_child_columns(
    live_server: LiveServer,
) -> None:
    alice = _meta(live_server, "alice", "Gadget")
    fields = _fields(alice)
    assert "ratio" not in fields
    assert "ratio" not in alice["schema"]["properties"]
    assert alice["list_fields"] == ["code", "kind", "price"]
    child = {f["name"] for f in fields["parts"]["child"]["fields"]}
    assert "cost" not in child
    assert "part_name" in child
    hr = _meta(live_server, "hr", "Gadget")
    assert "ratio" in _fields(hr)
    assert "cost" in {f["name"] for f in _fields(hr)["parts"]["child"]["fields"]}
    note = _meta(live_server, "alice", "Note")
    assert "salary" not in _fields(note)
    with live_server.client("outsider") as outsider:
        assert outsider.get("/api/meta/Gadget").status_code == 403
        assert outsider.get("/api/meta/GadgetPart").status_code == 404  # a child table
        assert outsider.get("/api/meta/Nope").status_code == 404


def test_summaries_name_module_and_title_field(live_server: LiveServer) -> None:
    with live_server.client("alice") as alice:
        listed = alice.get("/api/meta")
    assert listed.status_code == 200
    summaries = {summary["doctype"]: summary for summary in listed.json()}
    assert summaries["Gadget"] == {
        "doctype": "Gadget",
        "label": "Gadget",
        "module": "desk_sample",
        "title_field": "code",
        "is_submittable": False,
        "can_create": True,
    }
    assert summaries["Note"]["module"] == "web_sample"
    assert summaries["Order"]["title_field"] is None
    assert summaries["Order"]["is_submittable"] is True
    assert "GadgetPart" not in summaries
    assert "User" not in summaries
    with live_server.client("admin") as admin:
        everything = {s["doctype"]: s for s in admin.get("/api/meta").json()}
    assert everything["User"]["module"] == "core"
