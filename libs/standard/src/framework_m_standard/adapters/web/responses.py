"""JSON responses written in one pass, and the error body every failure shares."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response
from litestar.datastructures import Cookie
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python

# msgspec writes the common types (str, numbers, UUID, datetime, Decimal) about twice as fast
# as pydantic-core and in the same form; anything else goes through pydantic's conversion.
_ENCODER = msgspec.json.Encoder(enc_hook=to_jsonable_python)


def json_response(
    content: Any,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    cookies: list[Cookie] | None = None,
) -> Response[Any]:
    """A JSON response of JSON-ready data (``model_dump(mode="json")`` dicts, records)."""
    return Response(
        content=_ENCODER.encode(content),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
        cookies=cookies,
    )


class ErrorDetail(BaseModel):
    type: str = Field(description="Stable error code, e.g. validation_error, permission_denied")
    message: str
    details: Any = None
    request_id: str | None = None


class ErrorResponse(BaseModel):
    """Every error: ``{"error": {"type", "message", "details", "request_id"}}``."""

    error: ErrorDetail


class DeletedResponse(BaseModel):
    deleted: bool = True


class BulkResult(BaseModel):
    count: int
    ids: list[str]
