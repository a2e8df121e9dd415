"""Domain errors -> HTTP status and the one error body. A 500 is always a bug; it says little."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from framework_m_core.exceptions import (
    AuthenticationError,
    ConflictError,
    DocTypeNotFoundError,
    DocumentImmutableError,
    EntityNotFoundError,
    FrameworkError,
    InvalidQueryError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
)
from framework_m_standard.adapters.web.middleware import ensure_request_id
from framework_m_standard.adapters.web.responses import ErrorResponse, json_response

logger = logging.getLogger("framework_m.web")

# Most specific first: subclasses before their bases.
STATUS_BY_ERROR: tuple[tuple[type[FrameworkError], int], ...] = (
    (InvalidQueryError, 400),
    (DocumentImmutableError, 409),
    (ValidationError, 422),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (DocTypeNotFoundError, 404),
    (EntityNotFoundError, 404),
    (ConflictError, 409),
    (RateLimitedError, 429),
)

_HTTP_TYPES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}

ERROR_RESPONSES: dict[int, ResponseSpec] = {
    # No generated examples: they were random strings, a new set at every start.
    status: ResponseSpec(
        data_container=ErrorResponse, description=description, generate_examples=False
    )
    for status, description in {
        400: "Bad input: malformed JSON, unknown field, operator or sort key",
        401: "Not authenticated",
        403: "Not permitted",
        404: "Unknown DocType or document",
        409: "Conflict: stale _version, duplicate name, or a submitted document",
        413: "Request body too large",
        422: "Validation failed",
        429: "Too many attempts",
    }.items()
}


def status_for(exc: FrameworkError) -> int:
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(exc, error_type):
            return status
    return HTTP_500_INTERNAL_SERVER_ERROR


def error_response(
    request: Request[Any, Any, Any],
    status: int,
    error_type: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    # Unmatched routes never reach the route middleware: give them an id here.
    request_id = ensure_request_id(request.scope)  # type: ignore[arg-type]
    headers = {**(headers or {}), "X-Request-ID": request_id}
    body = {
        "error": {
            "type": error_type,
            "message": message,
            "details": details,
            "request_id": request_id,
        }
    }
    return json_response(body, status_code=status, headers=headers)


def handle_framework_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, FrameworkError)
    status = status_for(exc)
    if status >= 500:
        return handle_unexpected(request, exc)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="framework-m"'
    details = {k: v for k, v in exc.context.items() if _json_safe(v)} or None
    if status == 422:
        details = _with_field_errors(details, exc.message, exc.code)
    return error_response(request, status, exc.code, exc.message, details, headers)


def handle_http_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status >= 500:
        return handle_unexpected(request, exc)
    details: Any = exc.extra if isinstance(exc.extra, list | dict) and exc.extra else None
    if isinstance(exc, ValidationException):
        # Litestar reports query/path problems with a "source"; body problems have none.
        sources = {e.get("source") for e in details or [] if isinstance(e, dict)}
        body_problem = not details or None in sources or "body" in sources
        status = 422 if body_problem else 400
        error_type = "validation_error" if body_problem else "bad_request"
        message = "Validation failed" if body_problem else "Invalid query or path parameter"
        if body_problem:
            details = {"errors": [_litestar_field_error(e) for e in details or []]}
        return error_response(request, status, error_type, message, details)
    headers = dict(exc.headers or {})
    return error_response(
        request, status, _HTTP_TYPES.get(status, "http_error"), str(exc.detail), details, headers
    )


def _with_field_errors(details: dict[str, Any] | None, message: str, code: str) -> dict[str, Any]:
    """Every 422 carries ``details.errors`` as ``[{loc, msg, type}]``, whoever raised it.

    A controller's ``ValidationError(msg, field="phone")`` names one field; clients should not
    need a second shape for it.
    """
    details = dict(details or {})
    if not isinstance(details.get("errors"), list):
        field = details.get("field")
        loc = [field] if isinstance(field, str) and field else []
        details["errors"] = [{"loc": loc, "msg": message, "type": code}]
    return details


def _litestar_field_error(error: Any) -> dict[str, Any]:
    """Litestar's ``{"key": "lines.0.qty", "message"}`` as ``{"loc": ["lines", 0, "qty"], "msg"}``."""
    if not isinstance(error, dict):
        return {"loc": [], "msg": str(error), "type": "invalid"}
    key = error.get("key")
    loc: list[str | int] = []
    if isinstance(key, str) and key:
        loc = [int(part) if part.isascii() and part.isdigit() else part for part in key.split(".")]
    return {"loc": loc, "msg": str(error.get("message", "Invalid value")), "type": "invalid"}


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request, 500, "internal_error", "Internal server error; the request id is in the logs"
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    FrameworkError: handle_framework_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}


def _json_safe(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | list | dict) or value is None
