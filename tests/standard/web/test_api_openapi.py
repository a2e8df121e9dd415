"""The OpenAPI document over real HTTP: valid 3.1, rendered docs, a client generated from it by
a public generator doing a round trip, and schemathesis finding nothing.

The fuzzing runs last in the module: as System Manager, schemathesis rewrites and deletes users
and documents at random (bulk updates and deletes), which tests after it would see.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from live_server import LiveServer
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

BIN = Path(sys.executable).parent
FUZZ_USERS = ["alice", "admin"]  # Employee, System Manager
CHECKS = [
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
]


@pytest.fixture(scope="module")
def tokens(live_server: LiveServer) -> dict[str, str]:
    # Signed in before schemathesis sends wrong passwords, which rate-limit new sign-ins
    # from this address for a while (a token keeps working).
    return {user: live_server.token(user) for user in FUZZ_USERS}


@pytest.fixture(scope="module")
def spec(live_server: LiveServer) -> dict[str, Any]:
    response = httpx.get(f"{live_server.base_url}/schema/openapi.json", timeout=30)
    assert response.status_code == 200, response.text  # public, like the pages that render it
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture(scope="module")
def spec_file(spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(json.dumps(spec))
    return path


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_document_is_valid_openapi_3_1_and_the_docs_render(
    live_server: LiveServer, spec: dict[str, Any]
) -> None:
    assert spec["openapi"].startswith("3.1.")
    validate(spec, cls=OpenAPIV31SpecValidator)
    with live_server.client() as anonymous:
        for page in ("/schema/swagger", "/schema/redoc"):
            response = anonymous.get(page)
            assert response.status_code == 200, (page, response.text)
            assert response.headers["content-type"].startswith("text/html")
            assert "<html" in response.text.lower()
            assert "<title>Framework M API</title>" in response.text


def test_document_describes_what_is_sent(spec: dict[str, Any]) -> None:
    """Names as sent (aliases), one error body everywhere, a 204 without a body."""
    schemas = spec["components"]["schemas"]
    assert "_version" in schemas["Note"]["properties"]
    assert "version" not in schemas["Note"]["properties"]
    assert "_version" in schemas["OrderLine"]["properties"]
    assert schemas["OrderLine"]["properties"]["rate"]["oneOf"][0] == {"type": "string"}
    assert "schema" in schemas["DocTypeMetadata"]["properties"]
    assert schemas["Note"]["required"] == []  # ?fields= may select any of them
    ids = {operation["operationId"] for _, _, operation in _operations(spec)}
    assert {"createNote", "listNote", "readNote", "updateNote", "deleteNote"} <= ids
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for method, path, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                if status == "204":
                    assert "content" not in response, (method, path)
                continue
            if status == "503":  # /readyz answers with its health body
                continue
            assert response["content"]["application/json"]["schema"] == error_ref, (
                method,
                path,
                status,
            )


def test_document_names_the_api_its_security_and_every_entry_point(
    spec: dict[str, Any],
) -> None:
    info = spec["info"]
    assert (info["title"], info["version"]) == ("Framework M API", "1.0.0")
    assert "DocType" in info["description"]
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["apiKey"]["name"] == "X-API-Key"
    assert schemes["session"]["in"] == "cookie"
    assert {"bearer": []} in spec["security"]
    ids = {operation["operationId"]: operation for _, _, operation in _operations(spec)}
    assert {"callDocTypeMethod", "callFunction", "getDocTypeMeta", "login", "createShare"} <= set(
        ids
    )
    assert ids["listNote"]["summary"] == "List Note"
    for name in ("listNote", "createNote", "updateNote", "deleteNote", "callFunction"):
        assert {"401", "403"} <= set(ids[name]["responses"]), name
    status = spec["components"]["schemas"]["Note"]["properties"]["status"]
    assert status["enum"] == ["open", "done", None]  # a Literal's options, optional on read


def _generated_package(spec_file: Path, root: Path) -> str:
    name = f"fm_client_{uuid.uuid4().hex[:8]}"
    config = root / "generator.json"
    config.write_text(json.dumps({"post_hooks": []}))  # no formatter needed to import it
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec_file),
            "--output-path",
            str(root / name),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Warnings about other parts of the document are tolerated; Note must be complete.
    for module in ("create_note", "list_note", "read_note", "update_note", "delete_note"):
        assert (root / name / "api" / "note" / f"{module}.py").exists(), result.stdout
    return name


@pytest.fixture
def client_package(spec_file: Path, tmp_path: Path) -> Iterator[tuple[str, ModuleType]]:
    name = _generated_package(spec_file, tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        yield name, importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def test_generated_client_round_trip_on_note(
    live_server: LiveServer,
    tokens: dict[str, str],
    client_package: tuple[str, ModuleType],
) -> None:
    name, package = client_package
    models = importlib.import_module(f"{name}.models")
    api = {
        op: importlib.import_module(f"{name}.api.note.{op}_note")
        for op in ("create", "list", "read", "update", "delete")
    }
    title = f"generated {uuid.uuid4().hex[:8]}"
    with package.AuthenticatedClient(
        base_url=live_server.base_url, token=tokens["alice"]
    ) as client:
        created = api["create"].sync_detailed(
            client=client, body=models.NoteCreate(title=title, priority=3, body="from a client")
        )
        assert created.status_code == 201, created.content
        note = created.parsed
        assert isinstance(note, models.Note)
        assert (note.title, note.priority, note.body) == (title, 3, "from a client")
        assert note.field_version == 0  # ``_version`` on the wire
        assert note.owner == live_server.user_ids["alice"]
        assert str(note.status) == "open"
        assert note.additional_properties == {}  # nothing sent that the schema does not name

        page = api["list"].sync(
            client=client, filters=json.dumps([["title", "=", title]]), with_total=True
        )
        assert isinstance(page, models.NoteList)
        assert [item.id for item in page.data] == [note.id]
        assert (page.total, page.has_more) == (1, False)
        selected = api["list"].sync(
            client=client, filters=json.dumps({"title": title}), fields="title"
        )
        assert isinstance(selected, models.NoteList)
        unset = importlib.import_module(f"{name}.types").UNSET
        assert [(item.id, item.title, item.priority) for item in selected.data] == [
            (note.id, title, unset)  # not selected, so not sent
        ]

        updated = api["update"].sync(
            note.id, client=client, body=models.NoteUpdate(priority=7, field_version=0)
        )
        assert isinstance(updated, models.Note)
        assert (updated.priority, updated.field_version, updated.body) == (7, 1, "from a client")
        stale = api["update"].sync_detailed(
            note.id, client=client, body=models.NoteUpdate(priority=8, field_version=0)
        )
        assert stale.status_code == 409
        assert isinstance(stale.parsed, models.ErrorResponse)
        assert stale.parsed.error.type_ == "version_conflict"
        read = api["read"].sync(note.id, client=client)
        assert isinstance(read, models.Note)
        assert (read.priority, read.field_version) == (7, 1)

        deleted = api["delete"].sync_detailed(note.id, client=client)
        assert deleted.status_code == 204
        missing = api["read"].sync_detailed(note.id, client=client)
        assert missing.status_code == 404
        assert isinstance(missing.parsed, models.ErrorResponse)
        assert missing.parsed.error.type_ == "not_found"
        assert missing.parsed.error.request_id


def test_values_no_database_can_store_are_client_errors(live_server: LiveServer) -> None:
    """NUL characters (PostgreSQL refuses them) and integers past 64 bits: 4xx, never a 500."""
    nul, huge = "a\x00b", 2**64
    with live_server.client("hr") as client:  # HR also sees and writes Note.salary
        note = client.post("/api/v1/Note", json={"title": "storable"}).json()
        customer = client.post("/api/v1/Customer", json={"customer_name": "Storable"}).json()
        refused = [
            client.post("/api/v1/Note", json={"title": nul}),
            client.post("/api/v1/Note", json={"title": "x", "salary": huge}),
            client.post("/api/v1/Note", json={"title": "x", "salary": str(huge)}),
            client.put(f"/api/v1/Note/{note['id']}", json={"body": nul}),
            client.put(f"/api/v1/Note/{note['id']}", json={"title": "x", "_version": huge}),
            client.post(
                "/api/v1/Note/bulk/update", json={"ids": [note["id"]], "data": {"body": nul}}
            ),
            client.post(
                "/api/v1/Order", json={"customer": customer["id"], "lines": [{"item": nul}]}
            ),
            client.post(
                "/api/v1/share",
                json={"doctype": "Note", "document_id": note["id"], "user_id": nul},
            ),
            client.post("/api/v1/auth/api-keys", json={"label": nul}),
            client.post("/api/v1/auth/api-keys", json={"scopes": [nul]}),
            client.post("/api/v1/auth/login", json={"email": nul, "password": "x"}),
        ]
        assert [r.status_code for r in refused] == [422] * len(refused), [r.text for r in refused]
        assert "NUL" in refused[6].text  # the child row's value, not the link
        for filters in ([["title", "=", nul]], {"title": nul}, [["priority", "in", [1, huge]]]):
            listed = client.get("/api/v1/Note", params={"filters": json.dumps(filters)})
            assert listed.status_code == 400, listed.text
            assert listed.json()["error"]["type"] == "invalid_query"
        assert client.get(f"/api/v1/Note/{note['id']}").json()["_version"] == 0


@pytest.mark.parametrize("user", FUZZ_USERS)
def test_schemathesis_finds_no_server_error_and_no_response_off_the_schema(
    live_server: LiveServer,
    spec: dict[str, Any],
    tokens: dict[str, str],
    user: str,
    tmp_path: Path,
) -> None:
    # Nothing is excluded: every operation, including login, logout and the API keys, is fuzzed.
    # The bearer token is a JWT, so logging out (which ends cookie sessions) does not end it.
    # Bounded (20 examples per operation and phase, one worker): about 30 s per user.
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{live_server.base_url}/schema/openapi.json",
        "--header",
        f"Authorization: Bearer {tokens[user]}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "20",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
    ]
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    operations = len(list(_operations(spec)))
    assert re.search(rf"Tested: {operations}\b", output), output
