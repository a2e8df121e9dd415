"""Acceptance: the API process dies between a commit and the publish of its event.

Three real processes boot the application on the same database and NATS JetStream, one after
another, with the relay's test fault hook (``FRAMEWORK_M_FAULT``):

1. ``relay_before_publish``: saves one document (committed) and one whose transaction rolls
   back; the relay wakes on the commit and the process dies (exit 137) before publishing.
2. ``relay_before_mark``: saves nothing; the relay finds the leftover row, publishes it and the
   process dies before marking it processed.
3. no fault: the relay publishes the leftover again (same event id: JetStream drops it), saves
   and publishes one more document, and exits once the outbox has nothing pending.

A durable subscriber in the test process deduplicating by ``event.id`` gets each committed
document's event exactly once (and even its raw deliveries are one each); the rolled-back one
never appears.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
from pathlib import Path

import pytest
from events_support import BusFactory, NatsNames, wait_for

from framework_m_core.interfaces.event_bus import Event

APP = """
from framework_m_core.domain.base_doctype import BaseDocType


class CrashNote(BaseDocType):
    title: str
"""

SCRIPT = """
import asyncio
import os
import sys

from framework_m_core.bootstrap import Bootstrap
from framework_m_core.settings import load_settings


async def main() -> int:
    async with Bootstrap(load_settings(env=os.environ)) as ctx:
        database = ctx.state["database"]
        doctype = ctx.container.meta_registry().get_doctype("CrashNote")
        repository = database.repositories.get(doctype)
        for title in sys.argv[1:]:
            async with database.unit_of_work() as uow:
                await repository.save(uow.session, doctype.model_validate({"title": title}))
                if not title.startswith("rollback"):
                    await uow.commit()
                # else: leaving the block without commit rolls the transaction back
        # Stay until the relay has published everything (or the fault hook ends us).
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            async with database.unit_of_work() as uow:
                pending = await database.outbox.claim_pending(
                    uow.session, "events", limit=1, skip_locked=False
                )
            if not pending:
                return 0
            await asyncio.sleep(0.02)
        return 3


sys.exit(asyncio.run(main()))
"""


async def _run(
    tmp_path: Path, env: dict[str, str], *titles: str, fault: str | None = None
) -> tuple[int, str]:
    run_env = {**env, "FRAMEWORK_M_FAULT": fault} if fault else dict(env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(tmp_path / "crash_run.py"),
        *titles,
        cwd=tmp_path,
        env=run_env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


@pytest.mark.slow
async def test_event_delivered_exactly_once_across_crashes_never_for_a_rollback(
    database_url: str, tmp_path: Path, nats_names: NatsNames, nats_bus: BusFactory
) -> None:
    (tmp_path / "crash_app.py").write_text(textwrap.dedent(APP))
    (tmp_path / "crash_run.py").write_text(textwrap.dedent(SCRIPT))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FRAMEWORK_M_") and key not in ("DATABASE_URL", "NATS_URL")
    }
    env.update(
        {
            "PYTHONPATH": str(tmp_path),
            "DATABASE_URL": database_url,
            "NATS_URL": nats_names.url,
            "FRAMEWORK_M_ENVIRONMENT": "test",
            "FRAMEWORK_M_APPS": json.dumps(["crash_app"]),
            "FRAMEWORK_M_EVENTS": json.dumps(
                {
                    "stream": nats_names.stream,
                    "subject_prefix": nats_names.prefix,
                    "relay_poll_interval": 0.2,
                }
            ),
            "FRAMEWORK_M_JOBS": json.dumps(nats_names.job_options()),
        }
    )

    # The subscriber: a durable consumer that deduplicates by event id.
    subscriber = await nats_bus()
    raw: list[str] = []
    handled: dict[str, Event] = {}

    async def deduplicating(event: Event) -> None:
        raw.append(event.id)
        handled.setdefault(event.id, event)

    await subscriber.subscribe_pattern("doc.>", deduplicating, durable="crash-test")

    def titles() -> list[str]:
        return [e.data["data"]["title"] for e in handled.values() if "data" in e.data]

    async def barrier() -> None:
        """Everything published before now has reached the subscriber."""
        marker = Event(source="test", type="test.marker")
        await subscriber.publish("doc.marker.Test", marker)
        await wait_for(lambda: marker.id in handled, within=15)

    code, output = await _run(tmp_path, env, "rollback-1", "kept-1", fault="relay_before_publish")
    assert code == 137, output
    await barrier()
    assert titles() == []  # died after the commit, before the publish

    code, output = await _run(tmp_path, env, fault="relay_before_mark")
    assert code == 137, output
    await barrier()
    assert titles() == ["kept-1"]  # published, but not marked as such

    code, output = await _run(tmp_path, env, "kept-2")
    assert code == 0, output
    await wait_for(lambda: "kept-2" in titles(), within=15)
    await barrier()

    assert titles() == ["kept-1", "kept-2"]  # once each, in order; never "rollback-1"
    documents = [e for e in handled.values() if e.type != "test.marker"]
    assert [raw.count(e.id) for e in documents] == [1, 1]  # JetStream dropped the republish
    kept_1 = documents[0]
    assert kept_1.type == "doc.created"
    assert kept_1.source == "framework_m"
    assert kept_1.data["doctype"] == "CrashNote"
    assert kept_1.data["type"] == "doc.created"
