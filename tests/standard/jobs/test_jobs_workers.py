"""Jobs across processes on NATS JetStream and PostgreSQL: an API server (uvicorn) and two
``m worker`` processes shared by the module; the test process enqueues like an API would.

Covers: a worker killed with SIGKILL mid-job (the job runs again elsewhere and succeeds),
retries ending Failed, timeouts, the re-hydrated user, one run per tick with two workers,
the jobs API (401/403/404/409) and the ``m job:*`` commands.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import SITE, LiveServer, email, server_env, start_server

from framework_m_core.bootstrap import Bootstrap
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.jobs import enqueue_as
from framework_m_core.settings import load_settings
from nats_support import SiteNames, delete_streams, require_nats
from service_support import create_pg_database, drop_pg_database, pg_url

# The jobs test app (tests/standard/jobs/app); not imported from conftest, whose module name
# another directory's conftest may hold when the whole suite runs.
APP_DIR = Path(__file__).resolve().parent / "app"

M = Path(sys.executable).parent / "m"
FINISHED = ("Success", "Failed", "Cancelled")


@dataclass
class Cluster:
    root: Path
    env: dict[str, str]
    server: LiveServer
    marks: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def spawn_worker(self) -> subprocess.Popen[bytes]:
        index = len(self.workers)
        with (self.root / f"worker{index}.log").open("wb") as log:
            process = subprocess.Popen(
                [str(M), "worker", "--concurrency", "4", "--verbose"],
                env=self.env,
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.workers.append(process)
        wait_until(
            lambda: "Framework M worker:" in self.worker_log(index) or process.poll() is not None,
            30,
            "worker start",
        )
        assert process.poll() is None, self.worker_log(index)
        return process

    def worker_log(self, index: int) -> str:
        return (self.root / f"worker{index}.log").read_text(errors="replace")

    def admin(self) -> httpx.Client:
        return self.server.client("admin")

    def job(self, job_id: str) -> dict[str, Any]:
        with self.admin() as client:
            response = client.get(f"/api/v1/jobs/{job_id}")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def finished(self, job_id: str, limit: float = 20) -> dict[str, Any]:
        result: dict[str, Any] = {}

        def done() -> bool:
            result.update(self.job(job_id))
            return result["status"] in FINISHED

        wait_until(done, limit, f"job {job_id} to finish")
        return result

    def enqueue(self, name: str, user: UserContext | None = None, **kwargs: Any) -> str:
        async def go() -> str:
            settings = load_settings(env=self.env, config_file=None)
            async with Bootstrap(settings) as context:
                with enqueue_as(user):
                    job_id: str = await context.state["jobs"].enqueue(name, **kwargs)
                return job_id

        return asyncio.run(go())

    def m(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(M), *args], env=self.env, cwd=self.root, capture_output=True, text=True, timeout=60
        )


def wait_until(condition: Callable[[], bool], limit: float, what: str) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {limit} s waiting for {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    asyncio.run(require_nats())
    root = tmp_path_factory.mktemp("jobs_cluster")
    marks = root / "marks"
    marks.mkdir()
    names = SiteNames()
    extra = {
        **names.env(
            jobs={"ack_wait": 1.5, "backoff": 1.2, "schedule_refresh": 1},
            events={"relay_enabled": False},
        ),
        "FRAMEWORK_M_APPS": '["web_sample", "fm_jobs_testapp"]',
        "PYTHONPATH": os.pathsep.join([str(SITE), str(APP_DIR), os.environ.get("PYTHONPATH", "")]),
        "FM_JOBS_TEST_DIR": str(marks),
    }
    pg_name = asyncio.run(create_pg_database())
    url = pg_url(pg_name)
    server = start_server(url, root, extra_env=extra)
    cluster = Cluster(root=root, env=server_env(url, root, extra), server=server, marks=marks)
    try:
        cluster.spawn_worker()
        cluster.spawn_worker()
        yield cluster
    finally:
        for process in cluster.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in cluster.workers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        server.stop()
        asyncio.run(delete_streams(names.streams))
        asyncio.run(drop_pg_database(pg_name))


def test_the_user_who_enqueued_is_the_jobs_user(cluster: Cluster) -> None:
    alice = UserContext(id="u-alice", email=email("alice"), roles=["Employee"], teams=["red"])
    job_id = cluster.enqueue("test.echo", alice, value=[1, 2])
    log = cluster.finished(job_id)
    assert log["status"] == "Success"
    assert log["user"] == "u-alice"
    assert log["result"]["user"] == email("alice")
    assert log["result"]["roles"] == ["Employee"]
    assert log["result"]["value"] == [1, 2]


def test_a_job_that_always_fails_ends_failed_with_its_error(cluster: Cluster) -> None:
    job_id = cluster.enqueue("test.always_fails")
    log = cluster.finished(job_id)
    assert log["status"] == "Failed"
    assert log["attempt"] == 3
    assert log["error"] == "RuntimeError: boom on attempt 3"
    attempts = (cluster.marks / f"{job_id}.attempts").read_text().split("\n")
    assert [line.split()[0] for line in attempts if line] == ["1", "2", "3"]


def test_a_job_over_its_timeout_fails_with_a_timeout_error(cluster: Cluster) -> None:
    log = cluster.finished(cluster.enqueue("test.too_slow"))
    assert log["status"] == "Failed"
    assert log["error"] == "TimeoutError: job timed out after 0.3 s"


def test_two_workers_run_each_tick_once(cluster: Cluster) -> None:
    """``test.tick`` runs every 2 s in both workers' schedulers: over ~8 s each tick ran once."""
    ticks = cluster.marks / "ticks"

    def lines() -> list[str]:
        return ticks.read_text().splitlines() if ticks.exists() else []

    before = len(lines())
    started = time.monotonic()
    wait_until(lambda: len(lines()) >= before + 4, 15, "four ticks")
    elapsed = time.monotonic() - started
    runs = [line.split() for line in lines()[before:]]
    job_ids = [job_id for job_id, _ in runs]
    assert len(job_ids) == len(set(job_ids)), runs  # no tick ran twice
    assert len(runs) <= elapsed / 2 + 2, (len(runs), elapsed)  # not one run per worker
    everything = [line.split()[0] for line in lines()]
    assert len(everything) == len(set(everything))


def test_jobs_api_permissions_and_states(cluster: Cluster) -> None:
    done = cluster.finished(cluster.enqueue("test.echo", value="api"))
    job_id = done["job_id"]
    with cluster.server.client() as anonymous:
        assert anonymous.get("/api/v1/jobs").status_code == 401
        assert anonymous.post(f"/api/v1/jobs/{job_id}/retry").status_code == 401
    with cluster.server.client("alice") as alice:
        assert alice.get("/api/v1/jobs").status_code == 403
        assert alice.get(f"/api/v1/jobs/{job_id}").status_code == 403
        assert alice.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 403
    with cluster.admin() as admin:
        page = admin.get(
            "/api/v1/jobs", params={"filters": json.dumps([["job_name", "=", "test.echo"]])}
        )
        assert page.status_code == 200
        assert job_id in [row["job_id"] for row in page.json()["data"]]
        assert admin.get(f"/api/v1/jobs/{uuid.uuid4()}").status_code == 404
        assert admin.post(f"/api/v1/jobs/{uuid.uuid4()}/cancel").status_code == 404
        assert admin.get("/api/v1/jobs/not-a-uuid").status_code in (400, 404)
        bad = admin.get("/api/v1/jobs", params={"filters": "[[1"})
        assert bad.status_code == 422 or bad.status_code == 400
        cancel_done = admin.post(f"/api/v1/jobs/{job_id}/cancel")
        assert cancel_done.status_code == 409, cancel_done.text
        assert cancel_done.json()["error"]["type"]
        assert admin.post(f"/api/v1/jobs/{job_id}/retry").status_code == 409

        failed = cluster.finished(cluster.enqueue("test.too_slow"))
        retried = admin.post(f"/api/v1/jobs/{failed['job_id']}/retry")
        assert retried.status_code == 201, retried.text
        assert retried.json()["job_id"] != failed["job_id"]
        assert retried.json()["job_name"] == "test.too_slow"

        # Fails once, then waits 60 s for its retry: Queued, so it can be cancelled.
        waiting = cluster.enqueue("test.retry_later")
        wait_until(
            lambda: (
                cluster.job(waiting)["attempt"] == 1 and cluster.job(waiting)["status"] == "Queued"
            ),
            15,
            "the retry to be queued",
        )
        cancelled = admin.post(f"/api/v1/jobs/{waiting}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "Cancelled"
        assert admin.post(f"/api/v1/jobs/{waiting}/cancel").status_code == 409
        again = admin.post(f"/api/v1/jobs/{waiting}/retry")
        assert again.status_code == 201
    assert "Traceback" not in cluster.server.log()


def test_job_commands(cluster: Cluster) -> None:
    listed = cluster.m("job:list")
    assert listed.returncode == 0, listed.stderr
    assert "test.echo  timeout 300s  retries 3" in listed.stdout
    assert "test.tick" in listed.stdout
    assert "cron */2 * * * * *" in listed.stdout
    ran = cluster.m("job:run", "test.echo", "--kwargs", '{"value": 7}', "--wait")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "status: Success" in ran.stdout
    job_id = ran.stdout.split()[1]
    status = cluster.m("job:status", job_id)
    assert status.returncode == 0, status.stderr
    assert f"id: {job_id}" in status.stdout
    assert '"value": 7' in status.stdout
    unknown = cluster.m("job:run", "test.nope")
    assert unknown.returncode == 1
    assert "no job named 'test.nope'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    bad = cluster.m("job:run", "test.echo", "--kwargs", "[1")
    assert bad.returncode != 0
    assert "not valid JSON" in bad.stderr
    missing = cluster.m("job:status", str(uuid.uuid4()))
    assert missing.returncode == 1
    assert "no job with id" in missing.stderr


def test_a_job_whose_worker_is_killed_runs_again_on_another(cluster: Cluster) -> None:
    """SIGKILL the worker running a job: after ack_wait JetStream hands the unacked message
    to the other worker, which runs it as attempt 2 under the same job id and JobLog."""
    job_id = cluster.enqueue("test.slow", seconds=3)
    pid_file = cluster.marks / f"{job_id}.pid"
    wait_until(pid_file.exists, 15, "the job to start")
    first_pid = int(pid_file.read_text().split()[0])
    victim = next(p for p in cluster.workers if p.pid == first_pid)
    assert cluster.job(job_id)["status"] == "Running"
    os.kill(first_pid, signal.SIGKILL)
    victim.wait(timeout=10)
    log = cluster.finished(job_id, limit=30)
    assert log["status"] == "Success"
    assert log["attempt"] == 2
    runs = [line.split() for line in pid_file.read_text().splitlines()]
    assert next(int(pid) for pid, _ in runs) == first_pid
    assert int(runs[-1][0]) != first_pid
    assert log["result"]["pid"] == int(runs[-1][0])
    assert log["result"]["attempt"] == 2
