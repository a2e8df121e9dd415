"""Every bad input gets the documented 4xx error body: never a 500, never data.

Unknown fields, operators and sort keys, SQL fragments in ``order_by``, ``fields`` and filter
values, malformed JSON, wrong types, oversized bodies and unknown DocTypes.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from live_server import LiveServer

NOTE = "/api/v1/Note"

# (method, path, query params, raw body or JSON, expected status, expected error type)
CASES: list[tuple[str, str, dict[str, Any] | None, Any, int, str]] = [
    ("GET", NOTE, {"filters": '[["nope", "=", 1]]'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"filters": '[["title", "~~", 1]]'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"filters": '[["title", "=", "x"]'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"filters": '{"title": "a"} junk'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"filters": '"title"'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"filters": '[["title; DROP TABLE note", "=", 1]]'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"filters": '[["priority", "=", "1 OR 1=1"]]'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"filters": '[["priority", "in", "not a list"]]'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"filters": '[["creation", ">", "yesterday"]]'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"filters": '[[1, "=", 1]]'}, None, 400, "invalid_query"),
    (
        "GET",
        NOTE,
        {"filters": '[["priority", "=", "99999999999999999999"]]'},
        None,
        400,
        "invalid_query",
    ),
    ("GET", NOTE, {"filters": '[["title", "=", "nul\\u0000"]]'}, None, 400, "invalid_query"),
    ("GET", NOTE, {"order_by": "nope desc"}, None, 400, "invalid_query"),
    ("GET", NOTE, {"order_by": "title; DROP TABLE note"}, None, 400, "invalid_query"),
    ("GET", NOTE, {"order_by": "(SELECT 1)"}, None, 400, "invalid_query"),
    ("GET", NOTE, {"order_by": "title sideways"}, None, 400, "invalid_query"),
    ("GET", NOTE, {"fields": "title,password_hash"}, None, 400, "invalid_query"),
    ("GET", NOTE, {"fields": "title, 1=1"}, None, 400, "invalid_query"),
    ("GET", NOTE, {"fields": "*/ UNION SELECT"}, None, 400, "invalid_query"),
    ("GET", NOTE, {"limit": "ten"}, None, 400, "bad_request"),
    ("GET", NOTE, {"limit": "-1"}, None, 400, "bad_request"),
    ("GET", NOTE, {"limit": "100000"}, None, 400, "bad_request"),
    ("GET", NOTE, {"offset": "-5"}, None, 400, "bad_request"),
    ("POST", NOTE, None, b"{not json", 400, "bad_request"),
    ("POST", NOTE, None, b"[1, 2]", 422, "validation_error"),
    ("POST", NOTE, None, {"title": 5}, 422, "validation_error"),
    ("POST", NOTE, None, {"title": ""}, 422, "validation_error"),
    ("POST", NOTE, None, {"title": "x", "priority": "high"}, 422, "validation_error"),
    ("POST", NOTE, None, {"title": "x", "priority": 11}, 422, "validation_error"),
    ("POST", NOTE, None, {"title": "x", "status": "closed"}, 422, "validation_error"),
    ("POST", NOTE, None, {"title": "x", "unknown_field": 1}, 422, "validation_error"),
    ("POST", NOTE, None, {"priority": 1}, 422, "validation_error"),
    (
        "POST",
        NOTE,
        None,
        {"title": "x", "id": "01a1fd34-ab1b-77fe-923b-e6033bc7086d"},
        422,
        "validation_error",
    ),
    ("POST", NOTE, None, {"title": "x" * 3_000_000}, 413, "request_too_large"),
    ("POST", "/api/v1/Order", None, {"customer": "not-a-uuid"}, 422, "validation_error"),
    (
        "POST",
        "/api/v1/Order",
        None,
        {"customer": "01a1fd34-ab1b-77fe-923b-e6033bc7086d", "lines": [{"qty": 0}]},
        422,
        "validation_error",
    ),
    ("GET", "/api/v1/Nope", None, None, 404, "not_found"),
    ("GET", "/api/v1/Note/not-a-uuid", None, None, 404, "not_found"),
    ("GET", "/api/meta/Nope", None, None, 404, "doctype_not_found"),
    ("GET", "/api/v1/User", None, None, 403, "permission_denied"),
    ("GET", "/api/v1/UserSession", None, None, 404, "not_found"),
    ("POST", "/api/v1/rpc/Note/not_exposed", None, {}, 404, "not_found"),
    ("POST", "/api/v1/rpc/Note/__init__", None, {}, 404, "not_found"),
    ("POST", "/api/v1/rpc/Note/ping", None, {"args": {"n": "four"}}, 422, "validation_error"),
    (
        "POST",
        "/api/v1/rpc/Note/ping",
        None,
        {"args": {"n": 1, "extra": 2}},
        422,
        "validation_error",
    ),
    ("POST", "/api/v1/rpc/fn/web_sample.api.not_rpc", None, {}, 404, "not_found"),
    ("POST", "/api/v1/rpc/fn/os.system", None, {"command": "true"}, 404, "not_found"),
    ("POST", "/api/v1/rpc/fn/web_sample.api.add", None, {"a": "x"}, 422, "validation_error"),
    ("POST", "/api/v1/rpc/fn/web_sample.api.add", None, b"[1]", 422, "validation_error"),
    (
        "POST",
        "/api/v1/Note/bulk/update",
        None,
        {"filters": [["nope", "=", 1]], "data": {}},
        400,
        "invalid_query",
    ),
    (
        "PUT",
        "/api/v1/Note/01a1fd34-ab1b-77fe-923b-e6033bc7086d",
        None,
        {"_version": "one"},
        422,
        "validation_error",
    ),
    (
        "PUT",
        "/api/v1/Note/01a1fd34-ab1b-77fe-923b-e6033bc7086d",
        None,
        {"_version": -68439258293223},  # found by schemathesis: overflowed PostgreSQL's int4
        422,
        "validation_error",
    ),
    ("GET", "/api/v1/Note", {"after": "garbage!"}, None, 400, "invalid_query"),
    ("GET", "/api/v1/Note", {"order_by": "body", "after": "W10"}, None, 400, "invalid_query"),
]


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "status", "error_type"),
    CASES,
    ids=[f"{c[0]} {c[1]} {c[2] or ''} {str(c[3])[:40]}" for c in CASES],
)
def test_bad_input_gets_the_documented_error(
    live_server: LiveServer,
    method: str,
    path: str,
    params: dict[str, Any] | None,
    body: Any,
    status: int,
    error_type: str,
) -> None:
    with live_server.client("alice") as client:
        kwargs: dict[str, Any] = {"params": params}
        if isinstance(body, bytes):
            kwargs["content"] = body
            kwargs["headers"] = {"Content-Type": "application/json"}
        elif body is not None:
            kwargs["json"] = body
        response = client.request(method, path, **kwargs)
    assert response.status_code == status, response.text[:500]
    payload = response.json()
    assert set(payload) == {"error"}
    error = payload["error"]
    assert error["type"] == error_type
    assert error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "data" not in payload


def test_request_ids_are_echoed_or_made(live_server: LiveServer) -> None:
    with live_server.client("alice") as client:
        given = client.get("/healthz", headers={"X-Request-ID": "trace-123"})
        assert given.headers["X-Request-ID"] == "trace-123"
        unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
        assert unsafe.headers["X-Request-ID"] != "bad id"
        assert len(unsafe.headers["X-Request-ID"]) == 32


def test_the_longest_documented_query_reaches_the_app(live_server: LiveServer) -> None:
    # ``filters`` may hold 8192 characters; 4-byte ones percent-encode to 12 bytes each, so
    # the request head is ~96 KiB. Sent in small pieces, as networks deliver it, it must
    # still reach the app (a JSON error), not stop at the HTTP parser's buffer limit.
    query = "%F0%9F%98%8D" * 8192
    head = (
        f"GET {NOTE}?filters={query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {live_server.token('alice')}\r\nConnection: close\r\n\r\n"
    ).encode()
    host, port = live_server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        for start in range(0, len(head), 4096):
            sock.sendall(head[start : start + 4096])
            time.sleep(0.002)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b"content-type: application/json" in rest.lower(), answer[:300]
    assert b'"invalid_query"' in rest
