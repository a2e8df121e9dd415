"""Webhooks across processes: the API process enqueues, an ``m worker`` process delivers.

The site (API, outbox relay, listener) runs in this process over NATS JetStream without
consuming jobs; a real ``m worker`` subprocess runs the delivery job, retries it with backoff
and writes the WebhookLogs, which the API then serves.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hooks_api import create_webhook, disable, rotate_secret, webhook_logs
from live_site import LiveSite, eventually, running_site
from receiver import Receiver

from service_support import create_pg_database, drop_pg_database, pg_url

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.postgres, pytest.mark.slow]

M = Path(sys.executable).with_name("m")
HERE = Path(__file__).parent


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api_site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveSite]:
    root = tmp_path_factory.mktemp("webhooks_worker")
    pg_name = await create_pg_database()
    try:
        async with running_site(pg_url(pg_name), root, nats=True, run_jobs=False) as site:
            yield site
    finally:
        await drop_pg_database(pg_name)


async def test_a_worker_process_delivers_and_retries(
    api_site: LiveSite, receiver: Receiver, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        **api_site.env,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = await asyncio.create_subprocess_exec(
            str(M),
            "worker",
            "--concurrency",
            "2",
            env=env,
            cwd=api_site.env["FRAMEWORK_M_PROJECT_ROOT"],
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            async with api_site.client() as admin, api_site.client("agent") as agent:
                webhook = await create_webhook(
                    admin, url=receiver.url, doctype_filter="Ticket", max_retries=2
                )
                secret = await rotate_secret(admin, webhook["id"])
                receiver.reset(secret=secret, fail_first=1)
                ticket = await agent.post("/api/v1/Ticket", json={"title": "from the API"})
                assert ticket.status_code == 201
                calls = await receiver.wait_for(2, within=60)
                assert [call.status for call in calls] == [500, 200]
                assert all(call.signature_valid for call in calls)
                assert calls[1].json()["id"] == ticket.json()["id"]

                async def two_logs() -> list[dict[str, Any]] | None:
                    found = await webhook_logs(admin, webhook["id"])
                    return found if len(found) == 2 else None

                logs = await eventually(two_logs, what="the worker's WebhookLogs")
                assert [(log["attempt"], log["status"]) for log in logs] == [
                    (1, "Retrying"),
                    (2, "Success"),
                ]
                await disable(admin, webhook)
            assert worker.returncode is None, log_path.read_text(errors="replace")
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(worker.wait(), 15)
            except TimeoutError:
                worker.kill()
                await worker.wait()
