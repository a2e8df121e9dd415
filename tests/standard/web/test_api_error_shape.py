"""Every 422 names its fields the same way: ``details.errors = [{loc, msg, type}]``.

Three sources raise them: the request body failing the schema before the handler runs
(Litestar), the document failing its model (the service) and a controller hook raising
``ValidationError(msg, field=...)``. A client (the Desk) reads one shape for all three.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from live_server import LiveServer

from framework_m_core.exceptions import ValidationError
from framework_m_standard.adapters.web.errors import handle_framework_error

# (path, body): each answers 422.
CASES: list[tuple[str, Any, list[Any] | None]] = [
    ("/api/v1/Note", {"title": 5}, ["title"]),
    ("/api/v1/Note", {"title": "x", "priority": 11}, ["priority"]),
    ("/api/v1/Note", {"priority": 1}, ["title"]),
    ("/api/v1/Note", b"[1, 2]", None),
]


def _field_errors(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    errors = response.json()["error"]["details"]["errors"]
    assert isinstance(errors, list)
    assert errors
    for error in errors:
        assert isinstance(error["loc"], list)
        assert isinstance(error["msg"], str)
        assert error["msg"]
    return errors  # type: ignore[no-any-return]


@pytest.mark.parametrize(("path", "body", "loc"), CASES, ids=[str(c[1]) for c in CASES])
def test_a_422_lists_its_field_errors_in_one_shape(
    live_server: LiveServer, path: str, body: Any, loc: list[Any] | None
) -> None:
    with live_server.client("alice") as client:
        if isinstance(body, bytes):
            response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        else:
            response = client.post(path, json=body)
    errors = _field_errors(response)
    if loc is not None:
        assert loc in [error["loc"] for error in errors]


def test_a_controller_error_on_one_field_is_listed_at_that_field() -> None:
    class _Request:
        def __init__(self) -> None:
            self.scope: dict[str, Any] = {"state": {}}

    response = handle_framework_error(
        _Request(),  # type: ignore[arg-type]
        ValidationError("A Premium customer needs a phone number", field="phone"),
    )
    assert response.status_code == 422
    details = json.loads(response.content)["error"]["details"]
    assert details["field"] == "phone"
    assert details["errors"] == [
        {
            "loc": ["phone"],
            "msg": "A Premium customer needs a phone number",
            "type": "validation_error",
        }
    ]


def test_a_body_error_key_that_is_not_an_ascii_number_stays_a_name() -> None:
    # "³".isdigit() is True but int("³") raises: the fuzzer found it as a 500.
    from framework_m_standard.adapters.web.errors import _litestar_field_error

    assert _litestar_field_error({"key": "data.³.x", "message": "bad"})["loc"] == ["data", "³", "x"]
    assert _litestar_field_error({"key": "lines.2.qty", "message": "bad"})["loc"] == [
        "lines",
        2,
        "qty",
    ]
