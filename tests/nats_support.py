"""NATS JetStream for the tests that run whole sites (an API process, ``m worker`` processes):
stream, subject and consumer names of the site's own, and the streams deleted afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import nats
from nats.js.errors import NotFoundError

from service_support import service_unavailable

NATS_URL = os.environ.get("FRAMEWORK_M_TEST_NATS_URL", "nats://127.0.0.1:4222")


async def require_nats() -> None:
    """Skip (fail with ``CI=true``) unless the NATS server answers."""
    try:
        client = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    except Exception as exc:
        service_unavailable(f"NATS at {NATS_URL} is unreachable: {exc}")
    await client.close()


@dataclass(frozen=True)
class SiteNames:
    """Names no other site uses, so sites of parallel tests and runs never share a stream."""

    token: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def events_stream(self) -> str:
        return f"FMT_EV_{self.token}"

    @property
    def jobs_stream(self) -> str:
        return f"FMT_JOBS_{self.token}"

    @property
    def streams(self) -> list[str]:
        return [self.events_stream, self.jobs_stream]

    def env(
        self, *, events: Mapping[str, Any] | None = None, jobs: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        """The settings every process of the site shares (API, ``m worker``, ``m job:*``):
        NATS, and its events, jobs and realtime on the site's names; ``events`` and ``jobs``
        add options of those sections."""
        prefix = f"fmt.{self.token}"
        return {
            "NATS_URL": NATS_URL,
            "FRAMEWORK_M_EVENTS": json.dumps(
                {
                    "stream": self.events_stream,
                    "subject_prefix": f"{prefix}.events",
                    **(events or {}),
                }
            ),
            "FRAMEWORK_M_JOBS": json.dumps(
                {
                    "stream": self.jobs_stream,
                    "subject": f"{prefix}.jobs",
                    "consumer": f"workers_{self.token}",
                    **(jobs or {}),
                }
            ),
            "FRAMEWORK_M_REALTIME": json.dumps({"subject_prefix": f"{prefix}.rt"}),
        }


async def delete_streams(names: Iterable[str]) -> None:
    """Delete these JetStream streams (those never made are no error)."""
    client = await nats.connect(NATS_URL)
    try:
        js = client.jetstream()
        for name in names:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(name)
    finally:
        await client.close()
