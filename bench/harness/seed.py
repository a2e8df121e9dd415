"""Seed the bench tables fast, through the raw drivers, with rows the framework can read back.

Rows are written into the framework's own ``Table`` objects, every column filled: on SQLite
through SQLAlchemy's sync ``sqlite3`` dialect (so UUIDs and datetimes are stored exactly as the
framework stores them), on PostgreSQL with ``COPY`` (asyncpg encodes the native types).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Table
from sqlalchemy.dialects import sqlite

from framework_m_core.domain.ids import uuid7

from .databases import BenchDatabase
from .options import DataSizes
from .site import Site

Row = dict[str, Any]
CHUNK = 50_000
KINDS = ("click", "view", "buy", "share")


@dataclass(frozen=True)
class SeededIds:
    """The ids the lua scripts cycle through (as they appear in URLs)."""

    alice_items: list[str]


def _base(owner: str, creation: datetime) -> Row:
    doc_id = uuid7()
    return {
        "id": doc_id,
        "name": str(doc_id),
        "owner": owner,
        "creation": creation,
        "modified": creation,
        "modified_by": owner,
        "_version": 0,
    }


def item_rows(site: Site, count: int, *, alice_share: float, start: datetime) -> Iterator[Row]:
    """BenchItem / BenchOpenItem rows: owners mixed in creation order, status alternating."""
    alice, bob = site.user_ids["alice"], site.user_ids["bob"]
    bob_every = round(1 / (1 - alice_share)) if alice_share < 1 else 0
    for i in range(count):
        owner = bob if bob_every and i % bob_every == bob_every - 1 else alice
        row = _base(owner, start + timedelta(milliseconds=i))
        row.update(
            title=f"Item {i}",
            status="open" if i % 2 == 0 else "closed",
            qty=i % 100,
            amount=round(i * 1.25, 2),
            notes=None if i % 3 else f"Note for item {i}",
        )
        yield row


def delete_pool_rows(site: Site, count: int, start: datetime) -> Iterator[Row]:
    """Alice's closed rows that only the delete scenario touches (the list filters them out)."""
    for i in range(count):
        row = _base(site.user_ids["alice"], start + timedelta(microseconds=i))
        row.update(title=f"Delete {i}", status="closed", qty=0, amount=0.0, notes=None)
        yield row


def order_rows(site: Site, count: int, lines: int, start: datetime) -> tuple[list[Row], list[Row]]:
    alice = site.user_ids["alice"]
    orders: list[Row] = []
    children: list[Row] = []
    for i in range(count):
        order = _base(alice, start + timedelta(milliseconds=i))
        order["customer"] = f"Customer {i}"
        orders.append(order)
        for idx in range(1, lines + 1):
            line = _base(alice, order["creation"])
            line.update(
                parent=order["id"],
                parenttype="BenchOrder",
                parentfield="lines",
                idx=idx,
                item=f"SKU-{(i * lines + idx) % 500}",
                qty=idx,
                rate=9.5 * idx,
            )
            children.append(line)
    return orders, children


def event_rows(site: Site, count: int, start: datetime) -> Iterator[Row]:
    alice = site.user_ids["alice"]
    for i in range(count):
        row = _base(alice, start + timedelta(microseconds=i * 10))
        row.update(kind=KINDS[i % len(KINDS)], value=i)
        yield row


def _chunks(rows: Iterable[Row], size: int = CHUNK) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_columns(table: Table, row: Row) -> list[str]:
    """The row's columns that the table has; fail on a required column the row lacks."""
    missing = [
        c.name
        for c in table.columns
        if c.name not in row and not c.nullable and c.default is None and c.server_default is None
    ]
    if missing:
        raise RuntimeError(f"Seed rows for {table.name} lack required columns {missing}")
    return [c.name for c in table.columns if c.name in row]


def _sqlite_processors(table: Table, columns: list[str]) -> list[Callable[[Any], Any] | None]:
    """SQLAlchemy's own value conversions (UUID -> hex, aware datetime -> naive UTC text)."""
    dialect = sqlite.dialect()
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


def _load_sqlite(database: BenchDatabase, table: Table, rows: Iterable[Row]) -> None:
    conn = sqlite3.connect(str(database.sqlite_path))
    try:
        for chunk in _chunks(rows):
            columns = _check_columns(table, chunk[0])
            processors = _sqlite_processors(table, columns)
            records = [
                tuple(
                    r[c] if p is None else p(r[c]) for c, p in zip(columns, processors, strict=True)
                )
                for r in chunk
            ]
            marks = ", ".join("?" * len(columns))
            names = ", ".join(f'"{c}"' for c in columns)
            with conn:
                conn.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', records)
    finally:
        conn.close()


async def _load_pg(database: BenchDatabase, table: Table, rows: Iterable[Row]) -> None:
    conn = await asyncpg.connect(database.driver_dsn)
    try:
        for chunk in _chunks(rows):
            columns = _check_columns(table, chunk[0])
            records = [tuple(r[c] for c in columns) for r in chunk]
            await conn.copy_records_to_table(table.name, records=records, columns=columns)
    finally:
        await conn.close()


async def load(database: BenchDatabase, table: Table, rows: Iterable[Row]) -> None:
    if database.kind == "sqlite":
        await asyncio.to_thread(_load_sqlite, database, table, rows)
    else:
        await _load_pg(database, table, rows)


async def analyze(database: BenchDatabase) -> None:
    """Planner statistics, as a database in service has them."""
    if database.kind == "sqlite":
        conn = sqlite3.connect(str(database.sqlite_path))
        try:
            conn.execute("ANALYZE")
        finally:
            conn.close()
        return
    conn = await asyncpg.connect(database.driver_dsn)
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _ids(rows: list[Row], keep: Callable[[Row], bool]) -> list[str]:
    return [str(r["id"]) for r in rows if keep(r)]


async def seed_all(database: BenchDatabase, site: Site, sizes: DataSizes) -> SeededIds:
    """Every table the HTTP scenarios read; returns alice's item ids for get and update."""
    now = datetime.now(UTC)
    start = now - timedelta(days=30)
    items = list(item_rows(site, sizes.items, alice_share=sizes.alice_share, start=start))
    await load(database, site.tables["BenchItem"], items)
    # The RLS-off twin: the same values, its own ids.
    await load(
        database,
        site.tables["BenchOpenItem"],
        item_rows(site, sizes.items, alice_share=sizes.alice_share, start=start),
    )
    orders, lines = order_rows(site, sizes.orders, sizes.lines_per_order, start)
    await load(database, site.tables["BenchOrder"], orders)
    await load(database, site.tables["BenchLine"], lines)
    await load(database, site.tables["BenchEvent"], event_rows(site, sizes.events, start))
    await analyze(database)
    alice = site.user_ids["alice"]
    return SeededIds(alice_items=_ids(items, lambda r: r["owner"] == alice))


async def seed_delete_pool(database: BenchDatabase, site: Site, count: int) -> list[str]:
    """``count`` fresh rows for one delete run, each to be deleted once."""
    start = datetime.now(UTC) - timedelta(days=60)
    rows = list(delete_pool_rows(site, count, start))
    await load(database, site.tables["BenchItem"], rows)
    return [str(r["id"]) for r in rows]
