"""Statements built once per query shape, and compiled once per dialect for the read lane.

SQLAlchemy caches compiled SQL itself, but building the statement and its cache key on every
request costs more than running a simple query; here the statement object itself is reused
with new parameter values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, Uuid
from sqlalchemy.engine import Dialect

from framework_m_standard.adapters.db.types import UtcDateTime

Processor = Callable[[Any], Any] | None

# PostgreSQL type OIDs of numeric columns: asyncpg's numeric result processors need them.
_PG_OIDS = {"Float": 701, "Double": 701, "Numeric": 1700, "Integer": 20, "BigInteger": 20}


@dataclass
class CompiledQuery:
    """SQL text with positional parameters, and how to convert values in and out."""

    sql: str
    names: tuple[str, ...]
    binders: tuple[Processor, ...]
    results: tuple[Processor, ...]
    keys: tuple[str, ...]
    """Output key of each selected column."""
    fixed: dict[str, Any]
    """Values the statement itself carries (literals such as ``parenttype = 'Order'``)."""

    def parameters(self, params: Mapping[str, Any]) -> list[Any]:
        fixed = self.fixed
        return [
            value if convert is None else convert(value)
            for value, convert in zip(
                (params[n] if n in params else fixed[n] for n in self.names),
                self.binders,
                strict=True,
            )
        ]

    def record(self, row: Sequence[Any]) -> dict[str, Any]:
        return {
            key: value if convert is None or value is None else convert(value)
            for key, value, convert in zip(self.keys, row, self.results, strict=True)
        }


def compile_query(
    stmt: Select[Any], dialect: Dialect, keys: Sequence[str] | None = None
) -> CompiledQuery:
    """Compile ``stmt`` for ``dialect``; ``keys`` name the selected columns in the records."""
    compiled = stmt.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    binders = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    columns = list(stmt.selected_columns)
    results = tuple(_result_processor(column.type, dialect) for column in columns)
    fixed = {
        name: compiled.binds[name].effective_value
        for name in names
        if compiled.binds[name].value is not None or compiled.binds[name].callable is not None
    }
    return CompiledQuery(
        fixed=fixed,
        sql=compiled.string,
        names=names,
        binders=binders,
        results=results,
        keys=tuple(keys) if keys is not None else tuple(str(c.key) for c in columns),
    )


def compile_dml(stmt: Any, dialect: Dialect, column_keys: Sequence[str]) -> CompiledQuery | None:
    """An INSERT, UPDATE or DELETE compiled for parameters named ``column_keys``; None when
    running it needs SQLAlchemy (a column default to compute, a parameter not given)."""
    compiled = stmt.compile(dialect=dialect, column_keys=list(column_keys))
    names = tuple(compiled.positiontup or ())
    given = set(column_keys)
    fixed: dict[str, Any] = {}
    for name in names:
        bind = compiled.binds.get(name)
        if name in given:
            continue
        if bind is None or bind.callable is not None or bind.value is None:
            return None
        fixed[name] = bind.value
    if compiled.insert_prefetch or compiled.update_prefetch or compiled.postfetch:
        return None
    binders = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    return CompiledQuery(
        sql=compiled.string, names=names, binders=binders, results=(), keys=(), fixed=fixed
    )


def _result_processor(type_: Any, dialect: Dialect) -> Processor:
    if dialect.name == "sqlite":
        # SQLite keeps these as text in one fixed format: convert it directly.
        if isinstance(type_, UtcDateTime):
            return _sqlite_utc_datetime
        if isinstance(type_, Uuid) and type_.as_uuid:
            return _sqlite_uuid
    impl = type_.dialect_impl(dialect)
    coltype = _pg_oid(impl) if dialect.name == "postgresql" else None
    processor: Processor = impl.result_processor(dialect, coltype)
    return processor


def _sqlite_utc_datetime(value: str) -> str | datetime:
    """``2026-01-02 03:04:05.678900`` (how SQLAlchemy stores it) as JSON writes the datetime."""
    if len(value) == 26 and value[10] == " " and value[19] == ".":
        if value[20:] == "000000":
            return f"{value[:10]}T{value[11:19]}Z"
        return f"{value[:10]}T{value[11:]}Z"
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _sqlite_uuid(value: str) -> str:
    """32 hex digits as the canonical text of the UUID (what JSON carries anyway)."""
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _pg_oid(impl: Any) -> int | None:
    """The OID a numeric column reports (a TypeDecorator's is that of its dialect-level type)."""
    base = getattr(impl, "impl_instance", impl)
    for klass in type(base).__mro__:
        if klass.__name__ in _PG_OIDS:
            return _PG_OIDS[klass.__name__]
    return None


@dataclass
class StatementCache:
    """Statements keyed by (purpose, shape), and their compiled forms per dialect.

    Bounded: the oldest entry goes when full, so odd one-off shapes cannot grow it forever.
    """

    max_size: int = 1024
    _statements: dict[Hashable, Any] = field(default_factory=dict)
    _compiled: dict[tuple[Hashable, str], CompiledQuery] = field(default_factory=dict)
    _dml: dict[Hashable, CompiledQuery | None] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._statements)

    def statement(self, key: Hashable, build: Callable[[], Any]) -> Any:
        stmt = self._statements.get(key)
        if stmt is None:
            stmt = self._statements[key] = build()
            _trim(self._statements, self.max_size)
        return stmt

    def compiled(
        self,
        key: Hashable,
        stmt: Select[Any],
        dialect: Dialect,
        keys: Sequence[str] | None = None,
    ) -> CompiledQuery:
        entry = self._compiled.get((key, dialect.name))
        if entry is None:
            entry = self._compiled[(key, dialect.name)] = compile_query(stmt, dialect, keys)
            _trim(self._compiled, self.max_size)
        return entry

    def compiled_dml(
        self, key: Hashable, build: Callable[[], CompiledQuery | None]
    ) -> CompiledQuery | None:
        """The driver-level form of a write statement (None: it needs SQLAlchemy)."""
        if key in self._dml:
            return self._dml[key]
        entry = self._dml[key] = build()
        _trim(self._dml, self.max_size)
        return entry


def _trim(entries: dict[Any, Any], max_size: int) -> None:
    while len(entries) > max_size:
        del entries[next(iter(entries))]
