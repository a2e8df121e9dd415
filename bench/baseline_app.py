"""The baseline: the bench routes written by hand on Litestar, SQL straight on the driver.

No framework layer: no metadata, no permission engine, no hooks, no outbox. The owner that
row-level security would derive from the signed-in user is fixed by configuration, and there
is no authentication. It serves the tables the framework created and seeded, with the same
statement shapes the framework sends (column list, WHERE, ORDER BY, LIMIT n+1) and the same
JSON keys, so that framework ÷ baseline is the cost of the framework.

Configuration (environment): ``BENCH_BASELINE_DB`` = ``sqlite`` | ``postgresql``,
``BENCH_BASELINE_DSN`` (a file path or an asyncpg DSN), ``BENCH_BASELINE_OWNER`` (a user id),
``BENCH_BASELINE_COUNT_LIMIT`` (count at most this many rows, as the framework's
``http.count_limit`` does; empty: count exactly).
Serve with ``uvicorn --factory bench.baseline_app:create_app``.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol

import aiosqlite
import asyncpg  # type: ignore[import-untyped]
import msgspec
from litestar import Litestar, Request, delete, get, post, put
from litestar.exceptions import NotFoundException

Row = dict[str, Any]

STANDARD = ("id", "name", "owner", "creation", "modified", "modified_by", "_version")
ITEM_COLUMNS = (*STANDARD, "title", "status", "qty", "amount", "notes")
ORDER_COLUMNS = (*STANDARD, "customer")
LINE_COLUMNS = (*STANDARD, "parent", "parenttype", "parentfield", "idx", "item", "qty", "rate")
EVENT_COLUMNS = (*STANDARD, "kind", "value")
UUID_COLUMNS = frozenset({"id", "parent"})
TIME_COLUMNS = frozenset({"creation", "modified"})


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=140)]
    status: Literal["open", "closed"] = "open"
    qty: Annotated[int, msgspec.Meta(ge=0)] = 0
    amount: float = 0.0
    notes: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


class ItemPatch(msgspec.Struct, forbid_unknown_fields=True):
    qty: Annotated[int, msgspec.Meta(ge=0)]


class Store(Protocol):
    """One database behind the routes: SQL is written with ``?`` placeholders."""

    def key(self, doc_id: uuid.UUID) -> Any:
        """An id as the driver binds it."""

    def stamp(self, moment: datetime) -> Any:
        """A timestamp as the driver binds it."""

    async def fetch(self, sql: str, columns: Sequence[str], *args: Any) -> list[Row]: ...

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a write; the number of rows it touched."""

    async def close(self) -> None: ...


class SqliteStore:
    """ONE shared aiosqlite connection (WAL, autocommit), as a small app would keep it.

    Values are stored the way SQLAlchemy stores them on SQLite: UUIDs as 32 hex digits,
    timestamps as naive UTC text; rows are turned back into the JSON the API shows.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @classmethod
    async def open(cls, path: str) -> SqliteStore:
        conn = await aiosqlite.connect(path, isolation_level=None)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        return cls(conn)

    def key(self, doc_id: uuid.UUID) -> Any:
        return doc_id.hex

    def stamp(self, moment: datetime) -> Any:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    async def fetch(self, sql: str, columns: Sequence[str], *args: Any) -> list[Row]:
        async with self._conn.execute(sql, args) as cursor:
            rows = await cursor.fetchall()
        return [_sqlite_json(dict(zip(columns, row, strict=True))) for row in rows]

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._conn.execute(sql, args) as cursor:
            return cursor.rowcount

    async def close(self) -> None:
        await self._conn.close()


def _sqlite_json(row: Row) -> Row:
    for column in UUID_COLUMNS.intersection(row):
        if row[column] is not None:
            row[column] = str(uuid.UUID(hex=row[column]))
    for column in TIME_COLUMNS.intersection(row):
        row[column] = row[column].replace(" ", "T") + "Z"
    return row


class PostgresStore:
    """An asyncpg pool; asyncpg hands back UUIDs and aware datetimes that Litestar encodes."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._sql: dict[str, str] = {}

    @classmethod
    async def open(cls, dsn: str) -> PostgresStore:
        return cls(await asyncpg.create_pool(dsn, min_size=4, max_size=16))

    def key(self, doc_id: uuid.UUID) -> Any:
        return doc_id

    def stamp(self, moment: datetime) -> Any:
        return moment

    def _dollar(self, sql: str) -> str:
        converted = self._sql.get(sql)
        if converted is None:
            counter = iter(range(1, 1000))
            converted = self._sql[sql] = re.sub(r"\?", lambda _: f"${next(counter)}", sql)
        return converted

    async def fetch(self, sql: str, columns: Sequence[str], *args: Any) -> list[Row]:
        return [dict(r) for r in await self._pool.fetch(self._dollar(sql), *args)]

    async def execute(self, sql: str, *args: Any) -> int:
        status: str = await self._pool.execute(self._dollar(sql), *args)
        return int(status.rsplit(" ", 1)[-1])

    async def close(self) -> None:
        await self._pool.close()


@dataclass
class Config:
    kind: str
    dsn: str
    owner: str
    count_limit: int | None

    @classmethod
    def from_env(cls) -> Config:
        limit = os.environ.get("BENCH_BASELINE_COUNT_LIMIT", "")
        return cls(
            kind=os.environ.get("BENCH_BASELINE_DB", "sqlite"),
            dsn=os.environ["BENCH_BASELINE_DSN"],
            owner=os.environ["BENCH_BASELINE_OWNER"],
            count_limit=int(limit) if limit else None,
        )


def _select(table: str, columns: Sequence[str]) -> str:
    return f"SELECT {', '.join(columns)} FROM {table}"


ITEM_LIST = (
    f"{_select('bench_item', ITEM_COLUMNS)} WHERE status = ? AND owner = ? "
    "ORDER BY creation DESC, id DESC LIMIT ? OFFSET ?"
)
ITEM_GET = f"{_select('bench_item', ITEM_COLUMNS)} WHERE id = ? AND owner = ?"
ITEM_INSERT = (
    f"INSERT INTO bench_item ({', '.join(ITEM_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(ITEM_COLUMNS))})"
)
ITEM_UPDATE = (
    "UPDATE bench_item SET qty = ?, modified = ?, modified_by = ?, _version = _version + 1 "
    f"WHERE id = ? AND owner = ? RETURNING {', '.join(ITEM_COLUMNS)}"
)
ITEM_DELETE = "DELETE FROM bench_item WHERE id = ? AND owner = ?"
OPEN_ITEM_LIST = (
    f"{_select('bench_open_item', ITEM_COLUMNS)} WHERE status = ? "
    "ORDER BY creation DESC, id DESC LIMIT ? OFFSET ?"
)
ORDER_LIST = (
    f"{_select('bench_order', ORDER_COLUMNS)} WHERE owner = ? "
    "ORDER BY creation DESC, id DESC LIMIT ? OFFSET ?"
)
EVENT_COUNT = "SELECT count(*) AS count FROM bench_event"
# Counting stops after limit + 1 rows: enough to tell that there are more than the limit.
EVENT_COUNT_CAPPED = "SELECT count(*) AS count FROM (SELECT id FROM bench_event LIMIT ?) AS capped"
EVENT_LIST = (
    f"{_select('bench_event', EVENT_COLUMNS)} ORDER BY creation DESC, id DESC LIMIT ? OFFSET ?"
)


def _lines_sql(parents: int) -> str:
    marks = ", ".join("?" * parents)
    return (
        f"{_select('bench_line', LINE_COLUMNS)} WHERE parent IN ({marks}) "
        "AND parentfield = 'lines' AND parenttype = 'BenchOrder' ORDER BY parent, idx"
    )


def _state(request: Request[Any, Any, Any]) -> tuple[Store, Config]:
    return request.app.state.store, request.app.state.config


def _page(rows: list[Row], limit: int, offset: int) -> Row:
    # The framework's page shape: one extra row tells whether there is a next page.
    return {"data": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/api/v1/BenchItem")
async def list_items(
    request: Request[Any, Any, Any], status: str = "open", limit: int = 20, offset: int = 0
) -> Row:
    store, config = _state(request)
    rows = await store.fetch(ITEM_LIST, ITEM_COLUMNS, status, config.owner, limit + 1, offset)
    return _page(rows, limit, offset)


@get("/api/v1/BenchItem/{doc_id:uuid}")
async def get_item(request: Request[Any, Any, Any], doc_id: uuid.UUID) -> Row:
    store, config = _state(request)
    rows = await store.fetch(ITEM_GET, ITEM_COLUMNS, store.key(doc_id), config.owner)
    if not rows:
        raise NotFoundException()
    return rows[0]


@post("/api/v1/BenchItem")
async def create_item(request: Request[Any, Any, Any], data: ItemIn) -> Row:
    store, config = _state(request)
    doc_id, now = uuid.uuid4(), datetime.now(UTC)
    row: Row = {
        "id": doc_id,
        "name": str(doc_id),
        "owner": config.owner,
        "creation": now,
        "modified": now,
        "modified_by": config.owner,
        "_version": 0,
        **msgspec.structs.asdict(data),
    }
    binds = {"id": store.key(doc_id), "creation": store.stamp(now), "modified": store.stamp(now)}
    await store.execute(ITEM_INSERT, *(binds.get(c, row[c]) for c in ITEM_COLUMNS))
    return row


@put("/api/v1/BenchItem/{doc_id:uuid}")
async def update_item(request: Request[Any, Any, Any], doc_id: uuid.UUID, data: ItemPatch) -> Row:
    store, config = _state(request)
    rows = await store.fetch(
        ITEM_UPDATE,
        ITEM_COLUMNS,
        data.qty,
        store.stamp(datetime.now(UTC)),
        config.owner,
        store.key(doc_id),
        config.owner,
    )
    if not rows:
        raise NotFoundException()
    return rows[0]


@delete("/api/v1/BenchItem/{doc_id:uuid}")
async def delete_item(request: Request[Any, Any, Any], doc_id: uuid.UUID) -> None:
    store, config = _state(request)
    if await store.execute(ITEM_DELETE, store.key(doc_id), config.owner) == 0:
        raise NotFoundException()


@get("/api/v1/BenchOpenItem")
async def list_open_items(
    request: Request[Any, Any, Any], status: str = "open", limit: int = 20, offset: int = 0
) -> Row:
    store, _ = _state(request)
    rows = await store.fetch(OPEN_ITEM_LIST, ITEM_COLUMNS, status, limit + 1, offset)
    return _page(rows, limit, offset)


@get("/api/v1/BenchOrder")
async def list_orders(request: Request[Any, Any, Any], limit: int = 20, offset: int = 0) -> Row:
    store, config = _state(request)
    orders = await store.fetch(ORDER_LIST, ORDER_COLUMNS, config.owner, limit + 1, offset)
    page = _page(orders, limit, offset)
    if page["data"]:
        # The lines of the whole page in ONE query, grouped by parent in Python.
        keys = [store.key(uuid.UUID(str(o["id"]))) for o in page["data"]]
        lines = await store.fetch(_lines_sql(len(keys)), LINE_COLUMNS, *keys)
        by_parent: dict[str, list[Row]] = {}
        for line in lines:
            by_parent.setdefault(str(line["parent"]), []).append(line)
        for order in page["data"]:
            order["lines"] = by_parent.get(str(order["id"]), [])
    return page


@get("/api/v1/BenchEvent/count")
async def count_events(request: Request[Any, Any, Any]) -> Row:
    store, config = _state(request)
    cap = config.count_limit
    if cap is None:
        rows = await store.fetch(EVENT_COUNT, ("count",))
        return {"count": rows[0]["count"], "exact": True}
    rows = await store.fetch(EVENT_COUNT_CAPPED, ("count",), cap + 1)
    counted = int(rows[0]["count"])
    return {"count": min(counted, cap), "exact": counted <= cap}


@get("/api/v1/BenchEvent")
async def list_events(request: Request[Any, Any, Any], limit: int = 20, offset: int = 0) -> Row:
    store, _ = _state(request)
    rows = await store.fetch(EVENT_LIST, EVENT_COLUMNS, limit + 1, offset)
    return _page(rows, limit, offset)


async def open_store(config: Config) -> Store:
    if config.kind == "sqlite":
        return await SqliteStore.open(config.dsn)
    return await PostgresStore.open(config.dsn)


def create_app() -> Litestar:
    config = Config.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        store = await open_store(config)
        app.state.store = store
        app.state.config = config
        try:
            yield
        finally:
            await store.close()

    return Litestar(
        route_handlers=[
            healthz,
            list_items,
            get_item,
            create_item,
            update_item,
            delete_item,
            list_open_items,
            list_orders,
            count_events,
            list_events,
        ],
        lifespan=[lifespan],
        openapi_config=None,
    )
