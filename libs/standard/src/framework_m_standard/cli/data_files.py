"""Documents as CSV and JSON files: rows read for ``m import``, records written by ``m export``.

CSV has one column per field and a header row. A cell holding a list or an object (a child
table, a ``list[str]`` field) is JSON text; an empty cell means "not given" (the field's
default applies). JSON is a list of objects, child tables as nested lists; the body of an API
list response (``{"data": [...]}``) is read too.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from framework_m_core.domain.base_doctype import BaseDocType

FileFormat = Literal["csv", "json"]
FORMATS: tuple[FileFormat, ...] = ("csv", "json")


class FileFormatError(ValueError):
    """A file that cannot be read as a whole (not a row of it): reported, nothing imported."""


def detect_format(path: Path | None, given: FileFormat | None) -> FileFormat:
    """``given``, else the file's extension; ``FileFormatError`` when neither says."""
    if given is not None:
        return given
    suffix = path.suffix.lower().lstrip(".") if path is not None else ""
    if suffix in FORMATS:
        return suffix
    where = f"{path.name}: " if path is not None else ""
    raise FileFormatError(f"{where}cannot tell the format from the name; use --format csv|json")


def json_fields(doctype: type[BaseDocType]) -> frozenset[str]:
    """Fields whose CSV cells hold JSON: child tables, lists, objects."""
    # SQLAlchemy loads with the field analysis: here, not when `m` loads its plugins.
    from framework_m_standard.adapters.db.field_registry import analyse

    found = set()
    for name, info in doctype.model_fields.items():
        shape = analyse(info)
        if shape.is_json or shape.child is not None:
            found.add(info.alias or name)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row of an import file: its values, or why it could not be read."""

    number: int
    """1-based position among the data rows (the CSV header is not counted)."""
    values: dict[str, Any] | None
    error: str | None = None
    line: int | None = None
    """Where the row starts in a CSV file (a cell may span lines)."""

    @property
    def label(self) -> str:
        if self.line is None or self.line == self.number + 1:
            return f"row {self.number}"
        return f"row {self.number} (line {self.line})"


class ImportFile:
    """An import file: its columns (CSV), how many rows it has, and its rows, one at a time."""

    def __init__(self, path: Path, file_format: FileFormat, doctype: type[BaseDocType]) -> None:
        self.path = path
        self.format = file_format
        self._json_fields = json_fields(doctype)
        self._items: list[Any] | None = None
        self.columns: list[str] = []
        if file_format == "json":
            self._items = self._load_json()
        else:
            self.columns = self._read_header()

    def count(self) -> int:
        """How many data rows the file has (a quick pass over a CSV file)."""
        if self._items is not None:
            return len(self._items)
        with self._open_csv() as handle:
            reader = csv.reader(handle)
            next(reader, None)
            return sum(1 for record in reader if record)

    def rows(self) -> Iterator[SourceRow]:
        if self._items is not None:
            for number, item in enumerate(self._items, start=1):
                if isinstance(item, dict):
                    yield SourceRow(number, item)
                else:
                    yield SourceRow(number, None, "not a JSON object")
            return
        yield from self._csv_rows()

    def _load_json(self) -> list[Any]:
        try:
            with self.path.open(encoding="utf-8-sig") as handle:
                data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise FileFormatError(f"{self.path.name} is not valid JSON: {exc}") from None
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"{self.path.name} is not UTF-8 text: {exc.reason}") from None
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        if not isinstance(data, list):
            raise FileFormatError(f"{self.path.name}: expected a JSON list of objects")
        return data

    def _open_csv(self) -> IO[str]:
        # utf-8-sig: spreadsheets often start the file with a byte-order mark.
        return self.path.open(encoding="utf-8-sig", newline="")

    def _read_header(self) -> list[str]:
        try:
            with self._open_csv() as handle:
                header = next(csv.reader(handle), None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileFormatError(f"{self.path.name}: cannot read the CSV header: {exc}") from None
        if not header:
            raise FileFormatError(f"{self.path.name} is empty: expected a header row")
        columns = [name.strip() for name in header]
        if any(not name for name in columns):
            raise FileFormatError(f"{self.path.name}: the header has an empty column name")
        duplicates = sorted({name for name in columns if columns.count(name) > 1})
        if duplicates:
            raise FileFormatError(
                f"{self.path.name}: duplicate columns in the header: {', '.join(duplicates)}"
            )
        return columns

    def _csv_rows(self) -> Iterator[SourceRow]:
        with self._open_csv() as handle:
            reader = csv.reader(handle)
            next(reader, None)
            number, line = 0, reader.line_num + 1
            try:
                for record in reader:
                    start, line = line, reader.line_num + 1
                    if not record:
                        continue
                    number += 1
                    yield self._csv_row(number, start, record)
            except (csv.Error, UnicodeDecodeError) as exc:
                raise FileFormatError(
                    f"{self.path.name}: unreadable CSV after row {number}: {exc}"
                ) from None

    def _csv_row(self, number: int, line: int, record: list[str]) -> SourceRow:
        if len(record) != len(self.columns):
            return SourceRow(
                number,
                None,
                f"has {len(record)} cells, the header has {len(self.columns)} columns",
                line,
            )
        values: dict[str, Any] = {}
        for column, cell in zip(self.columns, record, strict=True):
            if cell == "":
                continue
            if column in self._json_fields:
                try:
                    values[column] = json.loads(cell)
                except json.JSONDecodeError as exc:
                    return SourceRow(number, None, f"{column}: not valid JSON ({exc.msg})", line)
            else:
                values[column] = cell
        return SourceRow(number, values, None, line)


def csv_cell(value: Any) -> str:
    """A record's value as CSV text; lists and objects as JSON."""
    from pydantic_core import to_json, to_jsonable_python

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return to_json(value).decode()
    # Decimals, dates, UUIDs: their JSON text, unquoted.
    plain = to_jsonable_python(value)
    return plain if isinstance(plain, str) else str(plain)


@contextmanager
def open_output(output: Path | None) -> Iterator[IO[str]]:
    """``output`` for writing, replaced only when the block completes; stdout when None."""
    if output is None:
        yield sys.stdout
        return
    fd, draft = tempfile.mkstemp(
        prefix=f".{output.name}.", suffix=".part", dir=output.resolve().parent
    )
    try:
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(draft, output)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


async def write_records(
    records: AsyncIterable[dict[str, Any]],
    columns: Sequence[str],
    file_format: FileFormat,
    handle: IO[str],
) -> int:
    """Write the records as CSV (header first) or a JSON list; how many were written."""
    count = 0
    if file_format == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        async for record in records:
            writer.writerow([csv_cell(record.get(column)) for column in columns])
            count += 1
        return count
    from pydantic_core import to_json

    # One record per line: a valid JSON list that never has to be held in memory whole.
    handle.write("[")
    async for record in records:
        handle.write(",\n" if count else "\n")
        handle.write(to_json({k: record[k] for k in columns if k in record}).decode())
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


__all__ = [
    "FORMATS",
    "FileFormat",
    "FileFormatError",
    "ImportFile",
    "SourceRow",
    "csv_cell",
    "detect_format",
    "json_fields",
    "open_output",
    "write_records",
]
