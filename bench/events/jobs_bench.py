"""Jobs throughput: end-to-end jobs/s of ``@job`` functions, against a hand-written NATS queue.

    python3 -m uv run python -m bench.events.jobs_bench [--jobs 1000] [--workers 1,2]
        [--db all|sqlite|postgresql] [--runs 3] [--quick]

Each case enqueues ``--jobs`` runs of one job (``bench.noop``: nothing; ``bench.write``: saves
one small document) from ``--enqueue-concurrency`` concurrent enqueuers and waits until every
JobLog of the run is finished. Measured from the JobLog rows:

- jobs/s = jobs ÷ (last ``completed_at`` - the moment before the first enqueue);
- enqueue/s = jobs ÷ the time the enqueue calls took;
- p50 / p95 of ``completed_at - enqueued_at`` per job;
- peak RSS (``VmHWM``) of the process(es) running the jobs.

Setups:

1. **in-process**: no ``NATS_URL``; one process enqueues and runs the jobs (the default
   ``InMemoryJobQueue``), on each ``--db`` (a temp SQLite file; a fresh PostgreSQL database).
2. **NATS + N workers**: ``m worker --no-scheduler`` processes on NATS JetStream with the
   fresh PostgreSQL database shared; this process enqueues, as an API process would.
3. **baseline**: hand-written on nats-py, no framework: publish JSON messages to a work-queue
   stream, N consumer processes pull (``fetch(batch=concurrency)``), run a trivial handler
   and ack. ``+ PG row`` also inserts a status row (asyncpg) before publishing and updates it
   after the handler: the least bookkeeping a job system with a status table does.

Ratio = framework jobs/s ÷ baseline jobs/s with as many consumers as workers (1 for
in-process). Every number is the median of ``--runs`` runs. Streams, consumers and the
database are unique to the session and deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parent
REPO = EVENTS_DIR.parents[1]
APP_DIR = EVENTS_DIR / "jobs_app"
APP = "fm_bench_jobs"
JOBS = {"noop": "bench.noop", "write": "bench.write"}
FINISHED = ["Success", "Failed", "Cancelled"]
M = Path(sys.executable).parent / "m"
DEFAULT_NATS = "nats://127.0.0.1:4222"
DEFAULT_PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
WARM_UP = 20
"""Jobs run, unmeasured, before the runs of each case."""
RUN_DEADLINE = 600.0
"""Seconds a run may take before the bench gives up on it (a stuck worker); 60 when quick."""


# ---------------------------------------------------------------- numbers
@dataclass
class Run:
    """One run of ``jobs`` jobs: seconds, latencies and how many did not succeed."""

    jobs: int
    enqueue_s: float
    total_s: float
    p50_ms: float
    p95_ms: float
    failed: int = 0

    @property
    def jobs_per_s(self) -> float:
        return self.jobs / self.total_s if self.total_s > 0 else 0.0

    @property
    def enqueue_per_s(self) -> float:
        return self.jobs / self.enqueue_s if self.enqueue_s > 0 else 0.0


@dataclass
class Case:
    setup: str
    """``in-process``, ``NATS + 1 worker``, ``baseline NATS``, ..."""
    job: str
    """``noop`` or ``write`` (baselines: ``trivial``)."""
    db: str
    consumers: int
    runs: list[Run] = field(default_factory=list)
    rss_mb: float = 0.0
    baseline: bool = False

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs) if self.runs else 0.0

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.runs)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def peak_rss_mb(pid: int) -> float:
    """``VmHWM`` of a live process, in MiB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _fan_out(count: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> None:
    """Call ``one(i)`` for i in range(count), ``concurrency`` at a time (like that many clients)."""
    numbers: Iterator[int] = iter(range(count))

    async def client() -> None:
        for i in numbers:
            await one(i)

    await asyncio.gather(*(client() for _ in range(max(1, min(concurrency, count)))))


# ---------------------------------------------------------------- the framework side
def framework_env(
    database_url: str, root: Path, *, nats_url: str | None, unique: str, concurrency: int
) -> dict[str, str]:
    """The environment of every framework process of the session (workers and enqueuer)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FRAMEWORK_M_") and k not in ("NATS_URL", "DATABASE_URL")
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "FRAMEWORK_M_APPS": f'["{APP}"]',
            "FRAMEWORK_M_ENVIRONMENT": "production",
            "FRAMEWORK_M_AUTH__SECRET_KEY": secrets.token_urlsafe(48),
            "FRAMEWORK_M_PROJECT_ROOT": str(root),
            "PYTHONPATH": os.pathsep.join([str(APP_DIR), os.environ.get("PYTHONPATH", "")]),
            "FRAMEWORK_M_JOBS": json.dumps(
                {
                    "stream": f"fmb_jobs_{unique}",
                    "subject": f"fmb.jobs.{unique}",
                    "consumer": f"fmb_workers_{unique}",
                    "concurrency": concurrency,
                    "scheduler": False,
                }
            ),
            "FRAMEWORK_M_EVENTS": json.dumps(
                {"stream": f"fmb_events_{unique}", "subject_prefix": f"fmb.ev.{unique}"}
            ),
        }
    )
    if nats_url:
        env["NATS_URL"] = nats_url
    return env


def _settings(env: dict[str, str]) -> Any:
    from framework_m_core.settings import load_settings

    if str(APP_DIR) not in sys.path:
        sys.path.insert(0, str(APP_DIR))
    # The schema is made by the first bootstrap, as `m migrate` would before a deployment.
    return load_settings(env=env, config_file=None, overrides={"auto_sync_schema": True})


async def measure_framework(
    state: dict[str, Any], job: str, jobs: int, enqueue_concurrency: int, limit: float
) -> Run:
    """Enqueue ``jobs`` runs of ``job`` and wait until every JobLog of them is finished."""
    from framework_m_core.doctypes.job_log import JobLog
    from framework_m_core.interfaces.repository import FilterSpec

    queue = state["jobs"]
    database = state["database"]
    repo = database.repositories.get(JobLog)
    name = JOBS[job]

    async def enqueue(i: int) -> None:
        if job == "write":
            await queue.enqueue(name, n=i)
        else:
            await queue.enqueue(name)

    started = datetime.now(UTC)
    t0 = time.time()
    await _fan_out(jobs, enqueue_concurrency, enqueue)
    enqueue_s = time.time() - t0
    filters = [
        FilterSpec(field="enqueued_at", operator=">=", value=started),
        FilterSpec(field="status", operator="in", value=FINISHED),
    ]
    deadline = time.monotonic() + limit
    while True:
        async with database.unit_of_work() as uow:
            done = await repo.count(uow.session, filters)
        if done >= jobs:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{done} of {jobs} {name} jobs finished in {limit:g} s")
        await asyncio.sleep(0.05)
    async with database.unit_of_work() as uow:
        page = await repo.list(uow.session, filters, limit=jobs + 1, with_total=False)
    logs = list(page.items)
    assert len(logs) == jobs, (len(logs), jobs)
    ends = [_aware(log.completed_at) for log in logs if log.completed_at is not None]
    latencies = [
        (_aware(log.completed_at) - _aware(log.enqueued_at)).total_seconds() * 1000
        for log in logs
        if log.completed_at is not None
    ]
    return Run(
        jobs=jobs,
        enqueue_s=enqueue_s,
        total_s=max(ends).timestamp() - t0,
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        failed=sum(1 for log in logs if log.status != "Success"),
    )


async def child_main(args: argparse.Namespace) -> None:
    """Child process of a framework setup: ``in-process`` runs the jobs itself, ``enqueuer``
    only enqueues (``m worker`` processes run them). Per job, one JSON line on stdout with its
    runs and this process's peak RSS so far; then ``done`` (before the shutdown, which the
    session bounds)."""
    from framework_m_core.bootstrap import Bootstrap
    from framework_m_standard.bootstrap.jobs import run_jobs_here

    env = json.loads(os.environ["FM_BENCH_ENV"])
    async with Bootstrap(_settings(env)) as context:
        if args.role == "in-process":
            await run_jobs_here(context.state, scheduler=False)
        for job in JOBS:
            runs = await measure_runs(context.state, job, args)
            line = {
                "job": job,
                "runs": [asdict(r) for r in runs],
                "rss_mb": peak_rss_mb(os.getpid()),
            }
            print(json.dumps(line), flush=True)
        print("done", flush=True)


async def measure_runs(state: dict[str, Any], job: str, args: argparse.Namespace) -> list[Run]:
    """A warm-up (the first queries of a process compile and connect), then ``--runs`` runs."""
    if args.warm_up:
        await measure_framework(state, job, args.warm_up, args.enqueue_concurrency, args.limit)
    return [
        await measure_framework(state, job, args.jobs, args.enqueue_concurrency, args.limit)
        for _ in range(args.runs)
    ]


SHUTDOWN_GRACE = 30.0
"""Seconds a child may take to exit after its last run before it is killed (and noted)."""
NOTES: list[str] = []
"""What the report should say besides the table (a child that had to be killed)."""


def run_child(
    role: str,
    env: dict[str, str],
    args: argparse.Namespace,
    log: Path,
    on_result: Callable[[dict[str, Any]], None],
) -> None:
    """Run a framework child process; ``on_result`` gets each job's JSON line as it comes."""
    child_env = dict(os.environ, FM_BENCH_ENV=json.dumps(env), PYTHONPATH=env["PYTHONPATH"])
    command = [sys.executable, "-m", "bench.events.jobs_bench", "--role", role]
    command += ["--jobs", str(args.jobs), "--runs", str(args.runs)]
    command += ["--quick"] if args.quick else []
    command += ["--enqueue-concurrency", str(args.enqueue_concurrency)]
    with log.open("w") as stderr:
        process = subprocess.Popen(
            command, cwd=REPO, env=child_env, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    assert process.stdout is not None
    finished = False
    for line in process.stdout:
        if line.strip() == "done":
            finished = True
            break
        on_result(json.loads(line))
    if not finished:
        process.wait()
        raise RuntimeError(f"{role} child failed:\n{log.read_text()[-4000:]}")
    try:
        process.wait(timeout=SHUTDOWN_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        NOTES.append(
            f"The {role} process did not exit within {SHUTDOWN_GRACE:g} s after its last run "
            "(the framework's shutdown hung) and was killed; its numbers are complete."
        )
        print(f"  warning: {NOTES[-1]}", file=sys.stderr, flush=True)


def run_in_process(
    db: str, database_url: str, root: Path, args: argparse.Namespace, unique: str
) -> list[Case]:
    env = framework_env(
        database_url, root, nats_url=None, unique=unique, concurrency=args.concurrency
    )
    cases: list[Case] = []

    def record(data: dict[str, Any]) -> None:
        case = Case("in-process", data["job"], db, 1, rss_mb=data["rss_mb"])
        case.runs = [Run(**r) for r in data["runs"]]
        cases.append(case)
        _progress(case)

    run_child("in-process", env, args, root / f"in_process_{db}.log", record)
    return cases


class Workers:
    """``m worker`` processes of the session, started one by one."""

    def __init__(self, env: dict[str, str], root: Path, concurrency: int) -> None:
        self.env, self.root, self.concurrency = env, root, concurrency
        self.processes: list[subprocess.Popen[bytes]] = []

    def log(self, index: int) -> str:
        return (self.root / f"worker{index}.log").read_text(errors="replace")

    def spawn(self) -> None:
        index = len(self.processes)
        command = [str(M), "worker", "--concurrency", str(self.concurrency), "--no-scheduler"]
        with (self.root / f"worker{index}.log").open("wb") as log:
            process = subprocess.Popen(
                command, env=self.env, cwd=self.root, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while "Framework M worker:" not in self.log(index):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {index} did not start:\n{self.log(index)[-4000:]}")
            time.sleep(0.05)

    def peak_rss_mb(self) -> float:
        return max((peak_rss_mb(p.pid) for p in self.processes), default=0.0)

    def stop(self) -> None:
        _stop(self.processes)


def _stop(processes: list[subprocess.Popen[Any]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_workers(database_url: str, root: Path, args: argparse.Namespace, unique: str) -> list[Case]:
    """The NATS setups: 1, 2, ... ``m worker`` processes run the jobs, an enqueuer child
    process (bootstrapped like an API process) enqueues them."""
    env = framework_env(
        database_url, root, nats_url=args.nats_url, unique=unique, concurrency=args.concurrency
    )
    cases: list[Case] = []
    workers = Workers(env, root, args.concurrency)
    try:
        for count in sorted(set(args.workers)):
            while len(workers.processes) < count:
                workers.spawn()
            label = f"NATS + {count} worker{'s' if count > 1 else ''}"

            def record(data: dict[str, Any], label: str = label, count: int = count) -> None:
                case = Case(label, data["job"], "postgresql", count, rss_mb=workers.peak_rss_mb())
                case.runs = [Run(**r) for r in data["runs"]]
                cases.append(case)
                _progress(case)

            try:
                run_child("enqueuer", env, args, root / f"enqueuer_{count}.log", record)
            except RuntimeError as exc:
                logs = "\n".join(workers.log(i)[-2000:] for i in range(count))
                raise RuntimeError(f"{label}: {exc}\nworker logs:\n{logs}") from None
    finally:
        workers.stop()
    return cases


# ---------------------------------------------------------------- the hand-written baseline
RAW_TABLE = "bench_raw_log"


async def raw_consumer_main(args: argparse.Namespace) -> list[tuple[int, float, float]]:
    """Child process of the baseline: pull, handle, ack until SIGTERM; then its records."""
    import nats
    from nats.errors import TimeoutError as NatsTimeoutError

    nc = await nats.connect(args.nats_url)
    js = nc.jetstream()
    sub = await js.pull_subscribe_bind(args.durable, args.stream)
    pool = None
    if args.pg_dsn:
        import asyncpg  # type: ignore[import-untyped]

        pool = await asyncpg.create_pool(args.pg_dsn, min_size=1, max_size=args.concurrency)
    records: list[tuple[int, float, float]] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    async def handle(msg: Any) -> None:
        body = json.loads(msg.data)
        if pool is not None:
            await pool.execute(
                f"UPDATE {RAW_TABLE} SET status = 'Success', completed_at = now() WHERE id = $1",
                uuid.UUID(body["id"]),
            )
        await msg.ack()
        records.append((body["run"], body["t"], time.time()))

    print("ready", flush=True)
    while not stop.is_set():
        try:
            messages = await sub.fetch(batch=args.concurrency, timeout=0.5)
        except (NatsTimeoutError, TimeoutError):  # nothing to fetch (asyncio's, on 3.11)
            continue
        await asyncio.gather(*(handle(m) for m in messages))
    if pool is not None:
        await pool.close()
    await nc.close()
    return records


def _start_consumer(command: list[str], log: Path) -> subprocess.Popen[str]:
    with log.open("w") as stderr:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        process.wait()
        raise RuntimeError(f"baseline consumer did not start:\n{log.read_text()[-4000:]}")
    return process


async def run_baseline(
    consumers: int, pg_dsn: str | None, root: Path, args: argparse.Namespace, unique: str
) -> Case:
    import nats
    from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
    from nats.js.errors import NotFoundError

    name = f"fmb_raw_{unique}_{consumers}{'_pg' if pg_dsn else ''}"
    stream, subject, durable = name, name.replace("_", "."), name
    label = "baseline NATS" + (" + PG row" if pg_dsn else "")
    case = Case(
        f"{label}, {consumers} consumer{'s' if consumers > 1 else ''}",
        "trivial",
        "postgresql" if pg_dsn else "-",
        consumers,
        baseline=True,
    )
    nc = await nats.connect(args.nats_url)
    js = nc.jetstream()
    pool = None
    processes: list[subprocess.Popen[str]] = []
    try:
        await js.add_stream(
            StreamConfig(name=stream, subjects=[subject], retention=RetentionPolicy.WORK_QUEUE)
        )
        await js.add_consumer(
            stream,
            ConsumerConfig(
                durable_name=durable,
                ack_policy=AckPolicy.EXPLICIT,
                max_ack_pending=-1,
                ack_wait=30,
            ),
        )
        if pg_dsn:
            import asyncpg

            pool = await asyncpg.create_pool(pg_dsn, min_size=1, max_size=args.enqueue_concurrency)
            await pool.execute(
                f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} (id uuid PRIMARY KEY, status text NOT"
                " NULL, enqueued_at timestamptz NOT NULL, completed_at timestamptz)"
            )
        for index in range(consumers):
            command = [sys.executable, "-m", "bench.events.jobs_bench", "--role", "raw-consumer"]
            command += ["--nats-url", args.nats_url, "--stream", stream, "--durable", durable]
            command += ["--concurrency", str(args.concurrency)]
            command += ["--records", str(root / f"{durable}_{index}.json")]
            if pg_dsn:
                command += ["--pg-dsn", pg_dsn]
            log = root / f"{durable}_{index}.log"
            processes.append(await asyncio.to_thread(_start_consumer, command, log))
        starts: list[tuple[float, float]] = []
        for run in range(-1, args.runs):  # run -1: the warm-up
            t0 = time.time()
            count = args.warm_up if run < 0 else args.jobs

            async def publish(i: int, run: int = run) -> None:
                job_id = str(uuid.uuid4())
                if pool is not None:
                    await pool.execute(
                        f"INSERT INTO {RAW_TABLE} (id, status, enqueued_at)"
                        " VALUES ($1, 'Queued', now())",
                        uuid.UUID(job_id),
                    )
                body = {"id": job_id, "run": run, "t": time.time(), "kwargs": {"n": i}}
                await js.publish(subject, json.dumps(body).encode())

            await _fan_out(count, args.enqueue_concurrency, publish)
            if run >= 0:
                starts.append((t0, time.time() - t0))
            deadline = time.monotonic() + args.limit
            while (await js.stream_info(stream)).state.messages > 0:
                if time.monotonic() > deadline:
                    raise RuntimeError("the baseline consumers did not drain the stream")
                await asyncio.sleep(0.02)
        case.rss_mb = max(peak_rss_mb(p.pid) for p in processes)
        await asyncio.to_thread(_stop, processes)
        records: list[list[float]] = []
        for index in range(consumers):
            path = root / f"{durable}_{index}.json"
            if not path.exists():
                text = (root / f"{durable}_{index}.log").read_text()[-4000:]
                raise RuntimeError(f"baseline consumer {index} wrote no records:\n{text}")
            records += json.loads(path.read_text())
        for run, (t0, enqueue_s) in enumerate(starts):
            mine = [r for r in records if r[0] == run]
            latencies = [(done - sent) * 1000 for _, sent, done in mine]
            case.runs.append(
                Run(
                    jobs=args.jobs,
                    enqueue_s=enqueue_s,
                    total_s=max(done for _, _, done in mine) - t0,
                    p50_ms=percentile(latencies, 0.50),
                    p95_ms=percentile(latencies, 0.95),
                    failed=args.jobs - len(mine),
                )
            )
    finally:
        _stop(processes)
        if pool is not None:
            await pool.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
            await pool.close()
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)
        await nc.close()
    _progress(case)
    return case


# ---------------------------------------------------------------- databases and cleanup
def _pg_server() -> str:
    url = os.environ.get("DATABASE_URL", DEFAULT_PG_SERVER)
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_pg_database(unique: str) -> str:
    import asyncpg

    name = f"fm_bench_{unique}"
    conn = await asyncpg.connect(_pg_server(), timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_server(), timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def pg_dsn(name: str, driver: str = "") -> str:
    server = _pg_server()
    base, _, _ = server.rpartition("/")
    scheme = "postgresql+asyncpg://" if driver else "postgresql://"
    return scheme + base.removeprefix("postgresql://") + "/" + name


async def delete_streams(nats_url: str, unique: str) -> None:
    import nats
    from nats.js.errors import NotFoundError

    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for stream in (f"fmb_jobs_{unique}", f"fmb_events_{unique}"):
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(stream)
    finally:
        await nc.close()


# ---------------------------------------------------------------- report
_STARTED = time.monotonic()


def _progress(case: Case) -> None:
    print(
        f"  {case.setup:<36} {case.job:<7} {case.db:<10} {case.median('jobs_per_s'):9.0f} jobs/s"
        f"  (at {time.monotonic() - _STARTED:.0f} s)",
        file=sys.stderr,
        flush=True,
    )


def _ratio_base(case: Case, cases: list[Case], with_pg: bool) -> Case | None:
    for other in cases:
        if other.baseline and other.consumers == case.consumers and (other.db != "-") == with_pg:
            return other
    return None


def render(cases: list[Case], args: argparse.Namespace, wall_s: float) -> str:
    lines = [
        f"# Jobs throughput, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{args.jobs:,} jobs per run, median of {args.runs} run(s); enqueue concurrency "
        f"{args.enqueue_concurrency}, worker concurrency {args.concurrency}; "
        f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"session {wall_s:.0f} s."
        + (" **Quick run: the numbers mean nothing.**" if args.quick else ""),
        "",
        "| setup | job | db | jobs/s | enqueue/s | p50 ms | p95 ms | peak RSS MB "
        "| ratio vs NATS | ratio vs NATS + PG row | not Success |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        ratios = []
        for with_pg in (False, True):
            base = None if case.baseline else _ratio_base(case, cases, with_pg)
            value = base.median("jobs_per_s") if base is not None else 0.0
            ratios.append(f"{case.median('jobs_per_s') / value:.2f}" if value else "—")
        lines.append(
            f"| {case.setup} | {case.job} | {case.db} | {case.median('jobs_per_s'):,.0f} "
            f"| {case.median('enqueue_per_s'):,.0f} | {case.median('p50_ms'):,.1f} "
            f"| {case.median('p95_ms'):,.1f} | {case.rss_mb:,.0f} | {ratios[0]} | {ratios[1]} "
            f"| {case.failed} |"
        )
    lines += [
        "",
        "jobs/s: from just before the first enqueue until the last JobLog `completed_at` (the "
        "baseline: the last ack). Latency: `completed_at - enqueued_at` per job. Peak RSS: "
        "the process(es) running the jobs (in-process: the one process; NATS: the largest "
        "worker). Ratio: framework jobs/s ÷ baseline jobs/s with as many consumers as workers "
        '(1 for in-process). See bench/README.md, "Jobs throughput".',
    ]
    lines += [f"\n**Note:** {note}" for note in NOTES]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the session
async def session(args: argparse.Namespace) -> tuple[list[Case], dict[str, Any]]:
    """Every case; and the names the session made (all deleted by now)."""
    import nats

    try:
        nc = await nats.connect(args.nats_url, connect_timeout=2, max_reconnect_attempts=0)
    except Exception as exc:
        raise SystemExit(f"jobs_bench: NATS at {args.nats_url} is unreachable: {exc}") from None
    await nc.close()
    unique = args.session_id or uuid.uuid4().hex[:10]
    made: dict[str, Any] = {"unique": unique, "database": None}
    dbs = ["sqlite", "postgresql"] if args.db == "all" else [args.db]
    cases: list[Case] = []
    pg_name = await create_pg_database(unique) if "postgresql" in dbs else None
    made["database"] = pg_name
    with tempfile.TemporaryDirectory(prefix="fm_jobs_bench_") as tmp:
        root = Path(tmp)
        try:
            for consumers in sorted(set(args.workers) | {1}):
                cases.append(await run_baseline(consumers, None, root, args, unique))
                if pg_name:
                    dsn = pg_dsn(pg_name)
                    cases.append(await run_baseline(consumers, dsn, root, args, unique))
            for db in dbs:
                if db == "sqlite":
                    url = f"sqlite+aiosqlite:///{root / 'in_process.db'}"
                else:
                    assert pg_name is not None
                    url = pg_dsn(pg_name, "asyncpg")
                cases += await asyncio.to_thread(run_in_process, db, url, root, args, unique)
            if pg_name:
                url = pg_dsn(pg_name, "asyncpg")
                cases += await asyncio.to_thread(run_workers, url, root, args, unique)
        finally:
            await delete_streams(args.nats_url, unique)
            if pg_name:
                await drop_pg_database(pg_name)
    order = {"in-process": 0, "NATS": 1, "baseline": 2}
    cases.sort(key=lambda c: (order[c.setup.split(" ")[0]], c.consumers, c.db, c.job))
    return cases, made


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=1000, help="jobs per run (default 1000)")
    parser.add_argument(
        "--workers",
        type=lambda s: [int(n) for n in s.split(",")],
        default=[1, 2],
        help="worker counts of the NATS setups, comma-separated (default 1,2)",
    )
    parser.add_argument("--db", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=10, help="jobs at a time per worker")
    parser.add_argument("--enqueue-concurrency", type=int, default=8)
    parser.add_argument(
        "--quick", action="store_true", help="20 jobs, 1 run, no warm-up: the smoke test"
    )
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results")
    parser.add_argument(
        "--nats-url", default=os.environ.get("FRAMEWORK_M_BENCH_NATS_URL", DEFAULT_NATS)
    )
    # Child processes of the session.
    parser.add_argument(
        "--role",
        choices=["session", "in-process", "enqueuer", "raw-consumer"],
        default="session",
        help=argparse.SUPPRESS,
    )
    # --session-id: the <hex> of every name the session makes (a test cleans up after a kill).
    for name in ("--stream", "--durable", "--records", "--pg-dsn", "--session-id"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.warm_up = 0 if args.quick else WARM_UP
    args.limit = 60.0 if args.quick else RUN_DEADLINE
    if args.quick:
        args.jobs, args.runs = 20, 1
    if args.jobs < 1 or args.runs < 1 or min(args.workers) < 1:
        parser.error("--jobs, --runs and --workers must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.role in ("in-process", "enqueuer"):
        asyncio.run(child_main(args))
        return
    if args.role == "raw-consumer":
        records = asyncio.run(raw_consumer_main(args))
        Path(args.records).write_text(json.dumps(records))
        return
    started = time.monotonic()
    cases, made = asyncio.run(session(args))
    text = render(cases, args, time.monotonic() - started)
    args.output.mkdir(parents=True, exist_ok=True)
    stem = f"{datetime.now(UTC):%Y-%m-%d}-jobs" + ("-quick" if args.quick else "")
    (args.output / f"{stem}.md").write_text(text)
    report = {
        "jobs": args.jobs,
        "runs": args.runs,
        "quick": args.quick,
        "session": made,
        "notes": NOTES,
        "cases": [
            {**asdict(c), **{k: c.median(k) for k in ("jobs_per_s", "enqueue_per_s")}}
            for c in cases
        ],
    }
    (args.output / f"{stem}.json").write_text(json.dumps(report, indent=1))
    print(text)


if __name__ == "__main__":
    main()
