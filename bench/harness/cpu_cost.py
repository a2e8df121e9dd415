"""CPU per request of the framework, in-process: a steadier figure than req/s on a busy machine.

``python -m bench.harness.cpu_cost --db sqlite --case create --requests 2000``

Prepares a database as a session does, builds the framework's ASGI app in this process (its
lifespan runs: bootstrap, outbox relay, read lanes) and sends it ``--requests`` requests of one
case straight through ASGI, ``--concurrency`` at a time, with no socket and no HTTP parser in
between. Reported: the process's CPU time (every thread: the event loop, aiosqlite's threads)
per request, including what the outbox relay spent publishing the requests' events, and the
wall time. A machine shared with other work inflates wall time much more than CPU time.

``--callgrind``: run under ``valgrind --tool=callgrind --instr-atstart=no``, the measured
requests (and the relay's work on them) are the only code instrumented (``callgrind_control``
switches it on and off), which gives instruction counts no other tenant can disturb.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .databases import BenchDatabase, create_pg_database, drop_pg_database, sqlite_database
from .options import DataSizes
from .scenarios import CASES, HttpCase
from .seed import seed_all, seed_delete_pool
from .site import (
    BENCH_DOCTYPES,
    SITE_DIR,
    Site,
    email,
    framework_env,
    password,
    prepare_site,
)

Message = dict[str, Any]


class AsgiClient:
    """Requests straight into an ASGI app, and its lifespan."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lifespan: asyncio.Task[None] | None = None
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()

    async def start(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._lifespan = asyncio.create_task(self.app(scope, self._to_app.get, self._from_app.put))
        await self._to_app.put({"type": "lifespan.startup"})
        reply = await self._from_app.get()
        if reply["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"startup failed: {reply}")

    async def stop(self) -> None:
        await self._to_app.put({"type": "lifespan.shutdown"})
        await self._from_app.get()
        if self._lifespan is not None:
            await self._lifespan

    async def request(
        self, method: str, url: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        parts = urlsplit(url)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": parts.path,
            "raw_path": parts.path.encode(),
            "query_string": parts.query.encode(),
            "root_path": "",
            "headers": [(b"host", b"bench")]
            + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # no disconnect while the app works
            raise AssertionError

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


def _requests(case: HttpCase, ids: list[str]) -> Iterator[tuple[str, str, bytes]]:
    """(method, path, body) of the case, as the wrk scripts send them."""
    n = 0
    while True:
        n += 1
        if case.script is None:
            yield "GET", case.framework_path, b""
        elif case.script == "create.lua":
            body = {"title": f"Bench item {n}", "status": "open", "qty": n % 100, "amount": 1.5}
            yield "POST", case.framework_path, json.dumps(body).encode()
        else:
            item = ids[(n - 1) % len(ids)]
            body_bytes = json.dumps({"qty": n % 1000}).encode() if case.method == "PUT" else b""
            yield case.method, f"{case.framework_path}/{item}", body_bytes


async def _pending_outbox(app: Any) -> int:
    """Outbox rows not yet published and marked (the hand-off marks them a little later)."""
    from sqlalchemy import MetaData, func, select

    from framework_m_standard.adapters.db.outbox_repository import UNPUBLISHED
    from framework_m_standard.adapters.db.system_tables import outbox_table
    from framework_m_standard.adapters.web.runtime import STATE_KEY

    engine = app.state[STATE_KEY].documents.unit_of_work.connections.get_engine()
    outbox = outbox_table(MetaData())
    total = 0
    async with engine.connect() as conn:
        for status in UNPUBLISHED:  # equalities: the status index serves them
            count = select(func.count()).select_from(outbox).where(outbox.c.status == status)
            total += int((await conn.execute(count)).scalar_one())
    return total


async def _drive(
    client: AsgiClient,
    requests: Iterator[tuple[str, str, bytes]],
    headers: dict[str, str],
    count: int,
    concurrency: int,
) -> list[int]:
    statuses: list[int] = []
    left = count

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            method, path, body = next(requests)
            hdrs = {**headers, "content-type": "application/json"} if body else headers
            status, answer = await client.request(method, path, hdrs, body)
            if not 200 <= status < 300 and statuses.count(status) < 3:
                print(f"{method} {path}: {status} {answer[:300]!r}", file=sys.stderr)
            statuses.append(status)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return statuses


async def _settled(app: Any, within: float = 60.0) -> None:
    """Until the outbox relay has published every event of the requests."""
    deadline = time.monotonic() + within
    while await _pending_outbox(app):
        if time.monotonic() > deadline:
            raise RuntimeError("the outbox relay did not finish")
        await asyncio.sleep(0.005)


def _instrument(callgrind: bool, *, on: bool, profiler: Any = None) -> None:
    if profiler is not None:
        if on:
            profiler.enable()
        else:
            profiler.disable()
    if callgrind:
        state = "on" if on else "off"
        subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True,
                       capture_output=True)  # fmt: skip


async def measure(
    case: HttpCase,
    ids: list[str],
    *,
    requests: int,
    warmup: int,
    concurrency: int,
    callgrind: bool = False,
    profiler: Any = None,
) -> dict[str, Any]:
    from framework_m_standard.adapters.web.app import create_app

    app = create_app()
    client = AsgiClient(app)
    await client.start()
    try:
        login = json.dumps({"email": email("alice"), "password": password("alice")}).encode()
        status, body = await client.request(
            "POST", "/api/v1/auth/login", {"content-type": "application/json"}, login
        )
        if status != 200:
            raise RuntimeError(f"login failed: {status} {body[:200]!r}")
        headers = {"authorization": f"Bearer {json.loads(body)['access_token']}"}
        stream = _requests(case, ids)
        await _drive(client, stream, headers, warmup, concurrency)
        await _settled(app)
        _instrument(callgrind, on=True, profiler=profiler)
        started_cpu, started = time.process_time(), time.perf_counter()
        statuses = await _drive(client, stream, headers, requests, concurrency)
        served_cpu, served = time.process_time(), time.perf_counter()
        await _settled(app)
        settled_cpu = time.process_time()
        _instrument(callgrind, on=False, profiler=profiler)
    finally:
        await client.stop()
    bad = sum(1 for s in statuses if not 200 <= s < 300)
    return {
        "case": case.case,
        "requests": requests,
        "non_2xx": bad,
        "cpu_us_per_request": round(1e6 * (settled_cpu - started_cpu) / requests, 1),
        "cpu_us_serving": round(1e6 * (served_cpu - started_cpu) / requests, 1),
        "wall_req_per_s": round(requests / (served - started), 1),
    }


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.harness.cpu_cost")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--case", choices=[c.case for c in CASES], default="create")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1, help="measurements in a row")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--callgrind", action="store_true", help="toggle callgrind around it")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the prepared database here and reuse it on the next run (setup is slow "
        "under valgrind); --drop removes it",
    )
    parser.add_argument("--drop", action="store_true")
    parser.add_argument("--cprofile", type=Path, default=None, help="write cProfile stats here")
    return parser.parse_args(argv)


def _prepare(
    args: argparse.Namespace, root: Path, case: HttpCase
) -> tuple[dict[str, str], list[str]]:
    """The framework's environment and the ids the case works on, made or read from ``root``."""
    saved = root / "prepared.json"
    pool_size = (args.requests + args.warmup) * args.repeat + 100
    if saved.exists():
        prepared = json.loads(saved.read_text())
        env, database = prepared["env"], BenchDatabase(**prepared["database"])
        ids = prepared["ids"]
        if case.ids == "pool":
            site = asyncio.run(_site(env, prepared["user_ids"]))
            ids = asyncio.run(seed_delete_pool(database, site, pool_size))
        return env, ids
    if args.db == "sqlite":
        database = sqlite_database(root)
    else:
        database = asyncio.run(create_pg_database(args.pg_url))
    env = framework_env(database, root)
    site = asyncio.run(prepare_site(env))
    sizes = dataclasses.replace(DataSizes(), items=args.items, events=0, orders=200)
    seeded = asyncio.run(seed_all(database, site, sizes))
    ids = seeded.alice_items
    fields = {
        "kind": database.kind,
        "url": database.url,
        "sqlite_path": str(database.sqlite_path) if database.sqlite_path else None,
        "pg_name": database.pg_name,
    }
    saved.write_text(
        json.dumps({"env": env, "database": fields, "ids": ids, "user_ids": site.user_ids})
    )
    if case.ids == "pool":
        ids = asyncio.run(seed_delete_pool(database, site, pool_size))
    return env, ids


async def _site(env: dict[str, str], user_ids: dict[str, str]) -> Site:
    """The prepared site again (its tables), without creating its users a second time."""
    from framework_m_core.bootstrap import Bootstrap
    from framework_m_core.settings import load_settings

    if str(SITE_DIR) not in sys.path:
        sys.path.insert(0, str(SITE_DIR))
    async with Bootstrap(load_settings(env=env, config_file=None)) as context:
        tables = context.state["database"].tables
        mapped = {name: tables.get_mapping(name).table for name in BENCH_DOCTYPES}
    return Site(user_ids=user_ids, tables=mapped)


def _drop(root: Path, pg_url: str | None) -> None:
    saved = root / "prepared.json"
    if saved.exists():
        fields = json.loads(saved.read_text())["database"]
        asyncio.run(drop_pg_database(BenchDatabase(**fields), pg_url))
        saved.unlink()


def run(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    case = next(c for c in CASES if c.case == args.case)
    with tempfile.TemporaryDirectory(prefix="fm-cpu-") as tmp:
        root = args.workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        try:
            env, ids = _prepare(args, root, case)
            os.environ.update(env)
            if str(SITE_DIR) not in sys.path:
                sys.path.insert(0, str(SITE_DIR))
            profiler = None
            if args.cprofile is not None:
                import cProfile

                profiler = cProfile.Profile()
            for _ in range(args.repeat):
                result = asyncio.run(
                    measure(
                        case,
                        ids,
                        requests=args.requests,
                        warmup=args.warmup,
                        concurrency=args.concurrency,
                        callgrind=args.callgrind,
                        profiler=profiler,
                    )
                )
                if case.ids == "pool":
                    ids = ids[args.requests + args.warmup :]
                print(json.dumps({"db": args.db, **result}), flush=True)
            if profiler is not None:
                profiler.dump_stats(args.cprofile)
        finally:
            if args.workdir is None or args.drop:
                _drop(root, args.pg_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
