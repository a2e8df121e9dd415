"""Set one value in a TOML document, leaving every other line as it was.

No TOML writer ships with Python and none is a dependency here, so edits are targeted: the
document is split into statements (a table header, a ``key = value`` that may span lines, or a
comment/blank line), the statement that holds the key is rewritten, or a new line is inserted
at the end of its table (a new table at the end of the document if there is none). The result
is parsed again and must equal the old document with just that value changed; otherwise the
edit is refused rather than written.
"""

from __future__ import annotations

import copy
import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class TomlEditError(ValueError):
    """The edit cannot be made safely; the message says why."""


@dataclass(frozen=True)
class _Statement:
    start: int
    end: int
    """Lines ``start`` to ``end - 1``."""
    kind: Literal["table", "array_table", "value", "trivia"]
    path: tuple[str, ...]
    """The table's path for headers; the key's full path (table + dotted key) for values."""
    key_text: str = ""
    """The key relative to its table, for values."""


def parse_key(text: str) -> tuple[str, ...]:
    """``a."b.c".d`` -> ``("a", "b.c", "d")``; raises ``TomlEditError`` if it is not a key."""
    parts, rest = _split_key(text)
    if rest.strip():
        raise TomlEditError(f"not a TOML key: {text!r}")
    return parts


def format_key(parts: tuple[str, ...]) -> str:
    return ".".join(part if _BARE_KEY.fullmatch(part) else json.dumps(part) for part in parts)


def format_value(value: Any) -> str:
    """A TOML literal for a string, number, boolean, date, list or table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        # JSON strings are TOML basic strings, except that TOML has no "\/" (json never
        # writes it) and needs control characters escaped (json does).
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{format_key((str(k),))} = {format_value(v)}" for k, v in value.items())
        return "{" + items + "}" if items else "{}"
    raise TomlEditError(f"cannot write {type(value).__name__} values to TOML")


def parse_value(raw: str) -> Any:
    """A command-line value typed as TOML (``8000``, ``true``, ``["a"]``, ``"x"``), else the
    text itself as a string (``postgresql://...``). Dates stay strings."""
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw
    return raw if isinstance(value, datetime | date | time) else value


def set_value(text: str, path: tuple[str, ...], value: Any) -> str:
    """``text`` with the value at ``path`` (table names then key) set to ``value``."""
    if not path:
        raise TomlEditError("an empty key")
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlEditError(f"the file is not valid TOML: {exc}") from exc
    expected = copy.deepcopy(before)
    _assign(expected, path, value)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    statements = _statements(lines)
    line = f"{{key}} = {format_value(value)}"
    current = next((s for s in statements if s.kind == "value" and s.path == path), None)
    if current is not None:
        comment = (
            _trailing_comment(lines[current.start]) if current.end - current.start == 1 else ""
        )
        indent = lines[current.start][
            : len(lines[current.start]) - len(lines[current.start].lstrip())
        ]
        new = indent + line.format(key=current.key_text) + (f"  {comment}" if comment else "")
        lines[current.start : current.end] = [new]
    else:
        table, key = path[:-1], format_key(path[-1:])
        where = _insertion_point(statements, table, len(lines))
        if where is None:
            if lines and lines[-1].strip():
                lines.append("")
            lines += [f"[{format_key(table)}]", line.format(key=key)]
        else:
            before_header = where < len(lines) and lines[where].lstrip().startswith("[")
            lines[where:where] = [line.format(key=key), *([""] if before_header else [])]
    result = newline.join(lines) + newline
    try:
        after = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:
        raise TomlEditError(f"the edited file would not be valid TOML ({exc})") from exc
    if after != expected:
        raise TomlEditError("the key is written in a form this edit cannot change safely")
    return result


def _assign(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for index, part in enumerate(path[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            where = ".".join(path[: index + 1])
            raise TomlEditError(f"{where} is a value, not a table")
        node = child
    node[path[-1]] = value


def _insertion_point(statements: list[_Statement], table: tuple[str, ...], end: int) -> int | None:
    """Where a new key of ``table`` goes: after the table's last value (or its header)."""
    if table:
        header = next((s for s in statements if s.kind == "table" and s.path == table), None)
        if header is None:
            return None
        section_start = statements.index(header) + 1
    else:
        section_start, header = 0, None
    where = header.end if header is not None else 0
    for statement in statements[section_start:]:
        if statement.kind in ("table", "array_table"):
            break
        if statement.kind == "value":
            where = statement.end
    if header is None and where == 0:
        # No top-level values: before the first table, or at the end of a table-less file.
        first = next((s for s in statements if s.kind in ("table", "array_table")), None)
        return first.start if first is not None else end
    return where


def _statements(lines: list[str]) -> list[_Statement]:
    statements: list[_Statement] = []
    table: tuple[str, ...] = ()
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            statements.append(_Statement(index, index + 1, "trivia", ()))
            index += 1
            continue
        if stripped.startswith("[["):
            table = _header_path(stripped[2:], "]]")
            statements.append(_Statement(index, index + 1, "array_table", table))
            index += 1
            continue
        if stripped.startswith("["):
            table = _header_path(stripped[1:], "]")
            statements.append(_Statement(index, index + 1, "table", table))
            index += 1
            continue
        end = _value_end(lines, index)
        key, _ = _split_key(stripped)
        statements.append(_Statement(index, end, "value", table + key, format_key(key)))
        index = end
    return statements


def _header_path(text: str, closer: str) -> tuple[str, ...]:
    parts, rest = _split_key(text, terminator=closer[0])
    if not rest.startswith(closer):
        raise TomlEditError(f"cannot read the table header [{text}")
    return parts


def _value_end(lines: list[str], start: int) -> int:
    """The line after a ``key = value`` statement (values may span lines)."""
    for end in range(start + 1, len(lines) + 1):
        try:
            tomllib.loads("\n".join(lines[start:end]))
        except tomllib.TOMLDecodeError:
            continue
        return end
    raise TomlEditError(f"cannot read the value on line {start + 1}")


def _split_key(text: str, terminator: str = "=") -> tuple[tuple[str, ...], str]:
    """Read a dotted key from the start of ``text``; return it and what follows the
    terminator (``=`` for values, ``]`` for headers; the terminator is kept for headers)."""
    parts: list[str] = []
    rest = text.lstrip()
    while True:
        if rest.startswith('"'):
            match = re.match(r'"((?:[^"\\]|\\.)*)"', rest)
            if match is None:
                raise TomlEditError(f"unterminated key in {text!r}")
            parts.append(json.loads(match.group(0)))
        elif rest.startswith("'"):
            match = re.match(r"'([^']*)'", rest)
            if match is None:
                raise TomlEditError(f"unterminated key in {text!r}")
            parts.append(match.group(1))
        else:
            match = _BARE_KEY.match(rest)
            if match is None:
                raise TomlEditError(f"not a TOML key: {text!r}")
            parts.append(match.group(0))
        rest = rest[match.end() :].lstrip()
        if rest.startswith("."):
            rest = rest[1:].lstrip()
            continue
        if terminator == "=":
            return tuple(parts), rest[1:] if rest.startswith("=") else rest
        return tuple(parts), rest


def _trailing_comment(line: str) -> str:
    """The ``# comment`` after a one-line value, if any (a ``#`` inside a string is not one)."""
    for match in re.finditer("#", line):
        head = line[: match.start()]
        try:
            tomllib.loads(head)
        except tomllib.TOMLDecodeError:
            continue
        return line[match.start() :].rstrip()
    return ""


__all__ = ["TomlEditError", "format_key", "format_value", "parse_key", "parse_value", "set_value"]
