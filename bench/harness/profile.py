"""Profile the framework server under one case's load: where the server's time goes.

``python -m bench.harness.profile --db sqlite --case create --seconds 10 --out /tmp/prof``

Prepares a database as a session does (smaller by default: ``--items``), starts the framework
server pinned to the server core, and runs wrk on the client core while ``py-spy record``
samples the server (``--no-profile``: wrk only). Writes ``<case>-<db>.txt`` (py-spy's collapsed
stacks: one line per stack, its sample count last) and prints req/s and the hottest frames,
counted by the frame itself (self) and by every stack that passes through it (total).
A profile is for deciding where to look; the numbers to compare are the bench's ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .databases import create_pg_database, drop_pg_database, sqlite_database
from .options import DataSizes
from .scenarios import CASES, FRAMEWORK, load
from .seed import seed_all, seed_delete_pool
from .servers import FRAMEWORK_APP, login, start_server
from .site import email, framework_env, password, prepare_site
from .wrk import run_wrk


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.harness.profile")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--case", choices=[c.case for c in CASES], default="create")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--no-profile", action="store_true", help="wrk only")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "fm-profile")
    return parser.parse_args(argv)


def hottest(collapsed: str, top: int = 25) -> str:
    """The frames with the most samples: self (the frame is on top) and total (on the stack)."""
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    if not samples:
        return "no samples"
    lines = [f"{samples} samples", "-- self"]
    lines += [f"{100 * n / samples:5.1f}%  {f}" for f, n in own.most_common(top)]
    lines.append("-- total")
    lines += [f"{100 * n / samples:5.1f}%  {f}" for f, n in total.most_common(top * 2)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    case = next(c for c in CASES if c.case == args.case)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = dataclasses.replace(DataSizes(), items=args.items, events=0, orders=200)
    with tempfile.TemporaryDirectory(prefix="fm-profile-") as tmp:
        root = Path(tmp)
        if args.db == "sqlite":
            database = sqlite_database(root)
        else:
            database = asyncio.run(create_pg_database(args.pg_url))
        try:
            env = framework_env(database, root)
            site = asyncio.run(prepare_site(env))
            seeded = asyncio.run(seed_all(database, site, sizes))
            ids = root / "ids.txt"
            if case.ids == "pool":
                pool = asyncio.run(seed_delete_pool(database, site, 30_000))
                ids.write_text("\n".join(pool) + "\n")
            else:
                ids.write_text("\n".join(seeded.alice_items) + "\n")
            server = start_server("framework", FRAMEWORK_APP, env, root)
            try:
                token = login(server, email("alice"), password("alice"))
                spec = load(
                    case, FRAMEWORK, server.base_url, {"Authorization": f"Bearer {token}"}, ids
                )
                if args.warmup and case.ids != "pool":
                    run_wrk(spec, duration=args.warmup, connections=args.connections)
                recorder = None
                out = args.out / f"{case.case}-{args.db}.txt"
                if not args.no_profile:
                    recorder = subprocess.Popen(
                        [spy, "record", "--pid", str(server.process.pid), "--rate",
                         str(args.rate), "--format", "raw", "--output", str(out), "--nonblocking",
                         "--duration", str(args.seconds + 1)],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE,
                    )  # fmt: skip
                result = run_wrk(spec, duration=args.seconds, connections=args.connections)
                print(
                    f"{case.case} {args.db}: {result.requests_per_s:.0f} req/s, "
                    f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
                    f"non-2xx {result.non_2xx}",
                    flush=True,
                )
                if recorder is not None:
                    _, err = recorder.communicate(timeout=60)
                    if recorder.returncode != 0:
                        print(err.decode(errors="replace"), file=sys.stderr)
                    print(f"profile: {out}")
                    print(hottest(out.read_text()))
            finally:
                server.stop()
        finally:
            asyncio.run(drop_pg_database(database, args.pg_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
