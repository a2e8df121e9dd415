"""Naming rules: how a document gets its human-readable unique ``name``.

``Meta.naming`` is one of:

- ``uuid`` (default): the name is the id as text;
- ``field:<fieldname>``: the value of a field;
- ``series:<pattern>``: a counter, e.g. ``INV-.YYYY.-.####`` -> ``INV-2026-0001``;
- ``prompt``: the caller must set ``name``.

In a series pattern the parts between dots are ``YYYY``, ``YY``, ``MM``, ``DD``, a run of
``#`` (the counter, zero-padded to that width) or literal text; ``{field}`` inserts a field's
value. The counter is kept per rendered prefix, so ``INV-.YYYY.-.####`` restarts each year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from framework_m_core.exceptions import NamingError

_FIELD = re.compile(r"\{(\w+)\}")
NamingKind = Literal["uuid", "field", "series", "prompt"]


@dataclass(frozen=True, slots=True)
class NamingRule:
    kind: NamingKind
    argument: str = ""
    pattern: SeriesPattern | None = None
    """The parsed pattern of a ``series`` rule, parsed once with the rule."""

    @classmethod
    def parse(cls, naming: str) -> NamingRule:
        kind, _, argument = naming.partition(":")
        kind, argument = kind.strip(), argument.strip()
        if kind in ("uuid", "prompt") and not argument:
            return cls(kind)  # type: ignore[arg-type]
        if kind == "field" and argument:
            return cls("field", argument)
        if kind == "series" and argument:
            return cls("series", argument, SeriesPattern.parse(argument))
        raise NamingError(f"Invalid naming rule {naming!r}", naming=naming)


@dataclass(frozen=True, slots=True)
class SeriesKey:
    """A rendered series: the counter key, plus how to format a number into the name."""

    prefix: str
    suffix: str
    digits: int

    def format(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.digits}d}{self.suffix}"


@dataclass(frozen=True, slots=True)
class SeriesPattern:
    parts: tuple[str, ...]

    @classmethod
    def parse(cls, pattern: str) -> SeriesPattern:
        parts = tuple(p for p in pattern.split(".") if p)
        hashes = [p for p in parts if set(p) == {"#"}]
        if len(hashes) != 1:
            raise NamingError(
                f"Series pattern {pattern!r} needs exactly one run of '#' for the counter",
                pattern=pattern,
            )
        return cls(parts)

    def render(self, doc: BaseModel, now: datetime) -> SeriesKey:
        before: list[str] = []
        after: list[str] = []
        digits = 0
        target = before
        for part in self.parts:
            if set(part) == {"#"}:
                digits = len(part)
                target = after
                continue
            target.append(_render_part(part, doc, now))
        return SeriesKey("".join(before), "".join(after), digits)


def _render_part(part: str, doc: BaseModel, now: datetime) -> str:
    tokens = {
        "YYYY": f"{now.year:04d}",
        "YY": f"{now.year % 100:02d}",
        "MM": f"{now.month:02d}",
        "DD": f"{now.day:02d}",
    }
    if part in tokens:
        return tokens[part]

    def field_value(match: re.Match[str]) -> str:
        value = getattr(doc, match.group(1), None)
        if value is None or value == "":
            raise NamingError(
                f"Field {match.group(1)!r} is needed for the name but is empty",
                field=match.group(1),
            )
        return str(getattr(value, "value", value))

    return _FIELD.sub(field_value, part)


def name_from_field(doc: BaseModel, field: str) -> str:
    value = getattr(doc, field, None)
    if value is None or str(value).strip() == "":
        raise NamingError(
            f"Field {field!r} gives this document its name and must be set", field=field
        )
    return str(getattr(value, "value", value)).strip()
