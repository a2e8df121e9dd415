"""GET /api/v1/search over real HTTP: name, title and search fields, ignoring case, literally,
across the DocTypes the caller may read, with row-level security, shares and hidden fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from live_server import LiveServer, serve

from service_support import DATABASES

APPS = '["web_sample", "desk_sample"]'
HIT_KEYS = {"doctype", "id", "name", "title", "modified"}


@pytest.fixture(scope="module", params=DATABASES)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("search-site")
    with serve(request.param, root, extra_env={"FRAMEWORK_M_APPS": APPS}) as server:
        yield server


@pytest.fixture
def token() -> str:
    """Text no other test's documents contain."""
    return uuid.uuid4().hex[:10]


def _create(client: httpx.Client, doctype: str, **values: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/{doctype}", json=values)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _search(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()["data"]
    assert all(set(hit) == HIT_KEYS for hit in hits), hits
    return hits


def _ids(hits: list[dict[str, Any]]) -> set[str]:
    return {hit["id"] for hit in hits}


def test_finds_by_name_title_and_search_fields_ignoring_case(
    live_server: LiveServer, token: str
) -> None:
    with live_server.client("alice") as alice:
        zeta = _create(alice, "Gadget", code=f"Zeta-{token}", notes=f"has MAGIC-{token} inside")
        other = _create(alice, "Gadget", code=f"other-{token}")
        customer = _create(alice, "Customer", customer_name=f"ACME {token}")
        by_title = _search(alice, q=f"zeta-{token.upper()}")
        assert by_title == [
            {
                "doctype": "Gadget",
                "id": zeta["id"],
                "name": zeta["name"],
                "title": f"Zeta-{token}",
                "modified": zeta["modified"],
            }
        ]
        assert _ids(_search(alice, q=f"magic-{token}")) == {zeta["id"]}  # Meta.search_fields
        # Customer has no title field: its name (field:customer_name) is searched.
        by_name = _search(alice, q=f"acme {token}")
        assert [(h["doctype"], h["id"], h["title"]) for h in by_name] == [
            ("Customer", customer["id"], None)
        ]
        assert by_name[0]["name"] == f"ACME {token}"
        assert _ids(_search(alice, q=token.upper())) == {zeta["id"], other["id"], customer["id"]}
        only = _search(alice, q=token, doctype="Gadget")
        assert _ids(only) == {zeta["id"], other["id"]}
        both = _search(alice, q=token, doctype=["Gadget", "Customer"])
        assert len(both) == 3
        # The operator behind it is open to lists too.
        listed = alice.get(
            "/api/v1/Gadget", params={"filters": f'[["code", "ilike", "%ZETA-{token}%"]]'}
        )
        assert [doc["id"] for doc in listed.json()["data"]] == [zeta["id"]]


def test_percent_underscore_and_backslash_are_matched_literally(
    live_server: LiveServer, token: str
) -> None:
    with live_server.client("alice") as alice:
        percent = _create(alice, "Gadget", code=f"{token} 50%off")
        _create(alice, "Gadget", code=f"{token} 50 xoff")
        underscore = _create(alice, "Gadget", code=f"{token}_a")
        _create(alice, "Gadget", code=f"{token}xa")
        backslash = _create(alice, "Gadget", code=f"{token}\\b")
        _create(alice, "Gadget", code=f"{token}b")
        assert _ids(_search(alice, q="50%o")) == {percent["id"]}
        assert _ids(_search(alice, q=f"{token}_a")) == {underscore["id"]}
        assert _ids(_search(alice, q=f"{token}\\b")) == {backslash["id"]}
        assert len(_search(alice, q=token, limit=50)) == 6


def test_blank_query_lists_recent_documents_newest_first(live_server: LiveServer) -> None:
    with live_server.client("carol") as carol:
        first = _create(carol, "Note", title="first")
        second = _create(carol, "Gadget", code="second")
        third = _create(carol, "Case", subject="third", team="red")
        assert [h["id"] for h in _search(carol, limit=3)] == [
            third["id"],
            second["id"],
            first["id"],
        ]
        edited = carol.put(f"/api/v1/Note/{first['id']}", json={"priority": 3, "_version": 0})
        assert edited.status_code == 200, edited.text
        recent = _search(carol, q="  ", limit=2)
        assert [h["id"] for h in recent] == [first["id"], third["id"]]
        assert recent[0]["title"] == "first"
        assert [h["id"] for h in _search(carol, doctype="Gadget", limit=1)] == [second["id"]]
        assert len(_search(carol, limit=50)) <= 50


def test_row_level_security_and_shares_decide_what_is_found(
    live_server: LiveServer, token: str
) -> None:
    with live_server.client("bob") as bob:  # team blue
        blue_case = _create(bob, "Case", subject=f"Outage {token}", team="blue")
        bobs_note = _create(bob, "Note", title=f"Private {token}")
    with live_server.client("carol") as carol:  # team red
        red_case = _create(carol, "Case", subject=f"Printer {token}", team="red")
    with live_server.client("alice") as alice:  # team red
        # The agent does not find the other team's case, nor bob's own note.
        assert _ids(_search(alice, q=token)) == {red_case["id"]}
        assert _ids(_search(alice, q="", doctype="Case", limit=50)).isdisjoint({blue_case["id"]})
    with live_server.client("bob") as bob:
        assert _ids(_search(bob, q=token)) == {blue_case["id"], bobs_note["id"]}
        shared = bob.post(
            "/api/v1/share",
            json={
                "doctype": "Note",
                "document_id": bobs_note["id"],
                "user_id": live_server.user_ids["alice"],
                "read": True,
            },
        )
        assert shared.status_code == 201, shared.text
    with live_server.client("alice") as alice:
        assert _ids(_search(alice, q=token)) == {red_case["id"], bobs_note["id"]}
    with live_server.client("admin") as admin:
        assert _ids(_search(admin, q=token)) == {blue_case["id"], red_case["id"], bobs_note["id"]}


def test_hidden_fields_are_neither_searched_nor_sent(live_server: LiveServer, token: str) -> None:
    with live_server.client("alice") as alice:
        case = _create(alice, "Case", subject="Renewal", team="red")
    with live_server.client("admin") as admin:
        updated = admin.put(
            f"/api/v1/Case/{case['id']}", json={"codename": f"Bluebird-{token}", "_version": 0}
        )
        assert updated.status_code == 200, updated.text
        assert _ids(_search(admin, q=f"bluebird-{token}")) == {case["id"]}
    with live_server.client("alice") as alice:
        # Only HR and admins see codename: alice cannot probe its value through search.
        assert _search(alice, q=f"bluebird-{token}") == []
        assert _ids(_search(alice, q="renewal", doctype="Case")) == {case["id"]}


def test_doctypes_asked_for_must_exist_and_be_readable(live_server: LiveServer) -> None:
    with live_server.client("alice") as alice:
        unknown = alice.get("/api/v1/search", params={"doctype": "Nope"})
        assert unknown.status_code == 404
        assert unknown.json()["error"]["type"] == "doctype_not_found"
        assert alice.get("/api/v1/search", params={"doctype": "OrderLine"}).status_code == 404
        denied = alice.get("/api/v1/search", params={"doctype": ["Note", "User"]})
        assert denied.status_code == 403
        assert denied.json()["error"]["type"] == "permission_denied"
    with live_server.client("outsider") as outsider:
        assert outsider.get("/api/v1/search", params={"doctype": "Note"}).status_code == 403
        assert _search(outsider, q="") == []  # reads no DocType at all
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        assert anonymous.get("/api/v1/search", params={"q": "x"}).status_code == 401


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 51}, {"limit": "ten"}, {"q": "x" * 201}, {"q": "nul\x00byte"}],
)
def test_bad_input_is_a_400(live_server: LiveServer, params: dict[str, Any]) -> None:
    with live_server.client("alice") as alice:
        response = alice.get("/api/v1/search", params=params)
    assert response.status_code == 400, response.text
    assert set(response.json()["error"]) >= {"type", "message", "request_id"}
