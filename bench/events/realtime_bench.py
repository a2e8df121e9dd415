"""Realtime benchmark: event-to-WebSocket latency with 1,000 connected clients.

Two API processes (uvicorn of ``create_app``) share one database and NATS, as in the
realtime acceptance tests (``tests/standard/realtime/cluster.py`` starts them, with the HTTP
tests' sample site and users). The clients connect to process B, in a few client processes
(asyncio + ``websockets``), spread over five users: alice, carol (team red), admin (sees
everything), bob (team blue) and hr (no team). Every client subscribes to ``Project``
(row-level security on ``team``). The writer then saves ``Project`` documents of team red
through process A, one every ``--interval`` seconds; each should reach the red users' and
admin's clients (3/5 of them) and no one else.

Reported: per-document latency from just before the ``POST`` on A to the message on a
client of B (p50/p95/p99/max over every delivery), deliveries expected vs received, and
deliveries to clients that must not get them (must be 0).

    .venv/bin/python bench/events/realtime_bench.py --clients 1000 --documents 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "standard" / "realtime")]

import httpx  # noqa: E402
import websockets  # noqa: E402
from cluster import cluster  # noqa: E402

USERS = ("alice", "carol", "admin", "bob", "hr")
ALLOWED = {"alice", "carol", "admin"}
SETTLE_DEADLINE = 60.0
"""Seconds after the last save within which every delivery must have arrived."""


def _raise_fd_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


# ---------------------------------------------------------------- client processes
async def _client(
    url: str,
    user: str,
    expected: int,
    received: list[tuple[str, str, float]],
    ready: asyncio.Event,
    stop: asyncio.Event,
) -> None:
    """One connection: record every event until it has ``expected`` of them or is stopped."""
    got = 0
    async with websockets.connect(url, open_timeout=60, max_queue=None) as ws:
        json.loads(await ws.recv())  # ready
        await ws.send(json.dumps({"action": "subscribe", "doctype": "Project"}))
        ack = json.loads(await ws.recv())
        assert ack["type"] == "ack", ack
        ready.set()
        while not stop.is_set() and (expected == 0 or got < expected):
            try:
                raw = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            now = time.time()
            message = json.loads(raw)
            if message.get("type") == "ping":
                await ws.send('{"action": "pong"}')
            elif message.get("type") == "event":
                received.append((user, message["doc"]["title"], now))
                got += 1


async def _client_process_main(
    plan: list[tuple[str, str]], documents: int, pipe: Connection
) -> list[tuple[str, str, float]]:
    received: list[tuple[str, str, float]] = []
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in plan]
    tasks = []
    for (user, url), ready in zip(plan, readies, strict=True):
        # Allowed clients end once they have every document; denied ones wait for "stop".
        expected = documents if user in ALLOWED else 0
        tasks.append(asyncio.create_task(_client(url, user, expected, received, ready, stop)))
        await asyncio.sleep(0.002)  # do not open them all in one burst
    await asyncio.gather(*(ready.wait() for ready in readies))
    pipe.send("ready")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, pipe.recv)  # "stop": the last save was made
    # Wait for the allowed clients to have everything, or for the deadline.
    allowed = [task for task, (user, _) in zip(tasks, plan, strict=True) if user in ALLOWED]
    if allowed:
        await asyncio.wait(allowed, timeout=SETTLE_DEADLINE)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return received


def _client_process(plan: list[tuple[str, str]], documents: int, pipe: Connection) -> None:
    _raise_fd_limit(len(plan) + 256)
    received = asyncio.run(_client_process_main(plan, documents, pipe))
    pipe.send(received)


# ---------------------------------------------------------------- the run
def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(args: argparse.Namespace) -> dict[str, Any]:
    _raise_fd_limit(args.clients + 1024)
    with tempfile.TemporaryDirectory() as tmp, cluster(args.database, Path(tmp)) as servers:
        tokens = {user: servers.token(user) for user in USERS}
        base = servers.ws_url(1)
        plans: list[list[tuple[str, str]]] = [[] for _ in range(args.processes)]
        expected_per_doc = 0
        for index in range(args.clients):
            user = USERS[index % len(USERS)]
            expected_per_doc += user in ALLOWED
            plans[index % args.processes].append((user, f"{base}?token={tokens[user]}"))
        ctx = multiprocessing.get_context("spawn")
        pipes, processes = [], []
        for plan in plans:
            parent, child = ctx.Pipe()
            process = ctx.Process(
                target=_client_process, args=(plan, args.documents, child), daemon=True
            )
            process.start()
            pipes.append(parent)
            processes.append(process)
        started = time.monotonic()
        for pipe in pipes:
            if not pipe.poll(180):
                raise RuntimeError("the clients did not connect within 180 s")
            assert pipe.recv() == "ready"
        connect_seconds = time.monotonic() - started
        sent: dict[str, float] = {}
        with httpx.Client(
            base_url=servers.servers[0].base_url,
            headers={"Authorization": f"Bearer {tokens['admin']}"},
            timeout=30,
        ) as http:
            for number in range(args.documents):
                title = f"bench-{number}"
                sent[title] = time.time()
                response = http.post("/api/v1/Project", json={"title": title, "team": "red"})
                response.raise_for_status()
                time.sleep(args.interval)
        for pipe in pipes:
            pipe.send("stop")
        received: list[tuple[str, str, float]] = []
        for pipe in pipes:
            received.extend(pipe.recv())
        for process in processes:
            process.join(10)
    latencies = [(at - sent[title]) * 1000 for user, title, at in received if title in sent]
    leaked = sum(1 for user, _, _ in received if user not in ALLOWED)
    return {
        "database": args.database,
        "clients": args.clients,
        "client_processes": args.processes,
        "documents": args.documents,
        "save_interval_s": args.interval,
        "connect_seconds": round(connect_seconds, 2),
        "deliveries_expected": expected_per_doc * args.documents,
        "deliveries_received": len(received) - leaked,
        "deliveries_to_denied_clients": leaked,
        "latency_ms": {
            "p50": round(_percentile(latencies, 0.50), 1),
            "p95": round(_percentile(latencies, 0.95), 1),
            "p99": round(_percentile(latencies, 0.99), 1),
            "max": round(max(latencies), 1),
            "mean": round(statistics.fmean(latencies), 1),
        }
        if latencies
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between saves")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    result = run(args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n")
    if result["deliveries_to_denied_clients"]:
        raise SystemExit("a denied client received an event")


if __name__ == "__main__":
    main()
