"""Webhook bodies: the standard JSON payload of an event, or a webhook's own Jinja2 template.

Templates render in Jinja2's ``SandboxedEnvironment`` (no attribute access to internals, no
imports) and must produce JSON. They see ``event`` (type, id, timestamp), ``doctype``, ``id``,
``name``, ``doc`` (the document's fields) and ``webhook`` (its name); ``tojson`` quotes values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

MAX_BODY = 1024 * 1024
"""Largest rendered body accepted (characters)."""


class PayloadError(ValueError):
    """A template that does not compile (on save) or does not render JSON (at delivery)."""


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "default": str}
    return env


_ENV = _environment()


def check_template(source: str) -> None:
    """``PayloadError`` unless the template compiles."""
    try:
        _ENV.parse(source)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise PayloadError(f"invalid template{where}: {exc.message or exc}") from None


def standard_payload(event: Mapping[str, Any]) -> dict[str, Any]:
    """The default body: what happened, to which document, and the document's data."""
    data: Mapping[str, Any] = event.get("data") or {}
    return {
        "event": event.get("type"),
        "event_id": event.get("id"),
        "timestamp": event.get("timestamp"),
        "doctype": data.get("doctype"),
        "id": data.get("id"),
        "name": data.get("name"),
        "user": data.get("user"),
        "data": data.get("data") or {},
    }


def render_body(event: Mapping[str, Any], *, template: str | None, webhook_name: str) -> str:
    """The JSON text sent for ``event``: the standard payload, or the template's output."""
    payload = standard_payload(event)
    if template is None:
        return json.dumps(payload, default=str, separators=(",", ":"))
    context = {
        "event": {k: payload[k] for k in ("event", "event_id", "timestamp")},
        "doctype": payload["doctype"],
        "id": payload["id"],
        "name": payload["name"],
        "user": payload["user"],
        "doc": payload["data"],
        "webhook": {"name": webhook_name},
    }
    parts: list[str] = []
    size = 0
    try:
        # Chunk by chunk, so a runaway loop stops at the size limit instead of filling memory.
        for chunk in _ENV.from_string(template).generate(context):
            size += len(chunk)
            if size > MAX_BODY:
                raise PayloadError(f"the rendered body is larger than {MAX_BODY} characters")
            parts.append(chunk)
    except TemplateError as exc:
        raise PayloadError(f"the template failed to render: {exc}") from None
    text = "".join(parts)
    try:
        json.loads(text)
    except ValueError as exc:
        raise PayloadError(f"the template did not render JSON: {exc}") from None
    return text
