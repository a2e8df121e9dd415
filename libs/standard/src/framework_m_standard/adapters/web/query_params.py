"""Parse ``filters``, ``order_by`` and ``fields`` query parameters into checked specs.

Only shape is checked here (JSON, identifiers, known operators); whether a field exists is
checked against the DocType by the service and the repository, before any SQL is built.
"""

from __future__ import annotations

import json
import re
from typing import Any

from framework_m_core.exceptions import InvalidQueryError
from framework_m_core.interfaces.repository import FILTER_OPERATORS, FilterSpec, OrderSpec

_IDENTIFIER = re.compile(r"^_?[A-Za-z][A-Za-z0-9_]{0,62}$")
_ORDER_TERM = re.compile(r"^(-?)(_?[A-Za-z][A-Za-z0-9_]{0,62})(?:\s+(asc|desc))?$", re.IGNORECASE)
MAX_FILTERS = 50


def _field(name: Any) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise InvalidQueryError(f"Invalid field name {name!r}", field=str(name)[:64])
    return name


def parse_filters(raw: str | list[Any] | dict[str, Any] | None) -> list[FilterSpec]:
    """``[["status", "=", "Open"], ["amount", ">", 10]]`` or ``{"status": "Open"}``."""
    if raw is None or raw == "":
        return []
    data: Any = raw
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidQueryError(f"filters is not valid JSON: {exc.msg}") from None
    if isinstance(data, dict):
        data = [[key, "=", value] for key, value in data.items()]
    if not isinstance(data, list):
        raise InvalidQueryError("filters must be a JSON list of [field, operator, value]")
    if len(data) > MAX_FILTERS:
        raise InvalidQueryError(f"At most {MAX_FILTERS} filters")
    specs: list[FilterSpec] = []
    for item in data:
        if not isinstance(item, list) or len(item) not in (2, 3):
            raise InvalidQueryError(
                "Each filter is [field, operator, value] or [field, value]", filter=str(item)[:200]
            )
        field, operator, value = (item[0], "=", item[1]) if len(item) == 2 else item
        if not isinstance(operator, str) or operator.lower() not in FILTER_OPERATORS:
            raise InvalidQueryError(
                f"Unknown filter operator {str(operator)[:20]!r}",
                allowed=sorted(FILTER_OPERATORS),
            )
        specs.append(FilterSpec(field=_field(field), operator=operator.lower(), value=value))
    return specs


def parse_order_by(raw: str | None) -> list[OrderSpec]:
    """``"modified desc, name"`` or ``"-modified,name"``."""
    if not raw:
        return []
    specs: list[OrderSpec] = []
    for term in raw.split(","):
        match = _ORDER_TERM.match(term.strip())
        if match is None:
            raise InvalidQueryError(f"Invalid sort key {term.strip()[:64]!r}")
        minus, field, direction = match.groups()
        direction = (direction or ("desc" if minus else "asc")).lower()
        if minus and direction == "asc" and match.group(3):
            raise InvalidQueryError(f"Contradictory sort key {term.strip()!r}")
        specs.append(OrderSpec(field=field, direction=direction))
    return specs


def parse_fields(raw: str | None) -> list[str] | None:
    """``"name,title"`` or ``'["name", "title"]'``; None means every field."""
    if raw is None or raw.strip() in ("", "*"):
        return None
    text = raw.strip()
    if text.startswith("["):
        try:
            names = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidQueryError(f"fields is not valid JSON: {exc.msg}") from None
        if not isinstance(names, list):
            raise InvalidQueryError("fields must be a list of field names")
    else:
        names = [part.strip() for part in text.split(",") if part.strip()]
    return [_field(name) for name in names]
