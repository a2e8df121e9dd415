"""``JobRunner``: run one attempt of a job: claim it in the JobLog, build its ``JobContext``,
apply the timeout, record the outcome and say whether (and when) to retry.

The queue adapters move messages; everything a job run means lives here, so the in-process
queue and the NATS workers behave the same.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from framework_m_core.doctypes.job_log import JobLog
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.jobs import JobContext, JobRegistry, RegisteredJob, RetryPolicy
from framework_m_core.settings import JobsSettings, Settings
from framework_m_standard.adapters.jobs.log_store import JobLogStore

logger = logging.getLogger("framework_m.jobs")


class JobMessage(BaseModel):
    """What travels on the queue for one attempt of a job (JSON)."""

    job_id: str
    name: str
    arguments: dict[str, Any]
    attempt: int = 1
    enqueued_at: datetime
    user: dict[str, Any] | None = None
    """The enqueuing ``UserContext`` as JSON, re-hydrated in the worker."""
    not_before: float | None = None
    """Unix time before which the attempt must not start (a retry's backoff)."""
    log: dict[str, Any] | None = None
    """The JobLog row as it was when this message was sent (``log_snapshot``): the worker
    claims the attempt with a versioned save of it, no read, when the row is still that."""

    def delay(self, now: float) -> float:
        return 0.0 if self.not_before is None else max(0.0, self.not_before - now)

    def known_log(self) -> JobLog | None:
        """The JobLog this message was sent with (a persisted row at that version), if any."""
        if self.log is None:
            return None
        try:
            log = JobLog.model_validate(self.log)
        except ValueError:
            return None  # the claim reads the row instead
        log.mark_persisted()
        return log


def log_snapshot(log: JobLog) -> dict[str, Any]:
    """A JobLog row as JSON for ``JobMessage.log``."""
    return log.model_dump(mode="json", by_alias=True)


@dataclass(frozen=True)
class Outcome:
    """What became of an attempt: ``retry`` carries the next message (due after its backoff)."""

    status: str
    retry: JobMessage | None = None


def policy_for(registered: RegisteredJob, config: JobsSettings) -> RetryPolicy:
    options = registered.options
    return RetryPolicy(
        retries=config.retries if options.retries is None else options.retries,
        backoff=config.backoff if options.backoff is None else options.backoff,
        max_delay=config.max_backoff,
    )


def timeout_for(registered: RegisteredJob, config: JobsSettings) -> float:
    return config.timeout if registered.options.timeout is None else registered.options.timeout


def json_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The kwargs if JSON can carry them to another process; ``ValueError`` otherwise."""
    try:
        loaded: dict[str, Any] = json.loads(json.dumps(kwargs))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"job arguments must be JSON-serialisable: {exc}") from None
    return loaded


def _result_json(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        loaded = json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        loaded = repr(value)
    return loaded if isinstance(loaded, dict) else {"value": loaded}


def _error_text(exc: BaseException) -> str:
    lines = traceback.format_exception_only(type(exc), exc)
    return "".join(lines).strip()[:4000]


class JobRunner:
    """Runs attempts of registered jobs with the services a ``JobContext`` offers."""

    def __init__(
        self,
        *,
        registry: JobRegistry,
        settings: Settings,
        logs: JobLogStore,
        services: dict[str, Any],
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.logs = logs
        self._services = services

    async def run(self, message: JobMessage) -> Outcome:
        """Run the attempt this message stands for (if it is still due) and record it."""
        job_id = UUID(message.job_id)
        claim = await self.logs.claim(job_id, message.attempt, known=message.known_log())
        if claim.action == "skip":
            logger.info("job %s (%s) skipped: %s", message.name, job_id, claim.why)
            return Outcome("skipped")
        if claim.action == "give_up":
            logger.error("job %s (%s) failed: %s", message.name, job_id, claim.why)
            return Outcome("Failed")
        attempt = claim.attempt
        running = claim.log
        registered = self.registry.get(message.name)
        if registered is None:
            await self.logs.finish(
                job_id,
                attempt=attempt,
                status="Failed",
                error=f"unknown job {message.name!r}",
                known=running,
            )
            return Outcome("Failed")
        policy = policy_for(registered, self.settings.jobs)
        user = UserContext.model_validate(message.user) if message.user else None
        context = JobContext(
            job_id=message.job_id,
            name=message.name,
            attempt=attempt,
            max_attempts=policy.max_attempts,
            enqueued_at=message.enqueued_at,
            started_at=datetime.now(UTC),
            settings=self.settings,
            user=user,
            event_bus=self._services.get("event_bus"),
            unit_of_work=self._services.get("unit_of_work"),
            repositories=self._services.get("repositories"),
            documents=self._services.get("documents"),
        )
        timeout = timeout_for(registered, self.settings.jobs)
        logger.info("job %s (%s) attempt %d started", message.name, job_id, attempt)
        try:
            async with asyncio.timeout(timeout):
                value = await registered.func(context, **message.arguments)
        except TimeoutError:
            error = f"TimeoutError: job timed out after {timeout:g} s"
        except Exception as exc:
            error = _error_text(exc)
        else:
            await self.logs.finish(
                job_id,
                attempt=attempt,
                status="Success",
                result=_result_json(value),
                known=running,
            )
            logger.info("job %s (%s) attempt %d succeeded", message.name, job_id, attempt)
            return Outcome("Success")
        if policy.should_retry(attempt):
            delay = policy.delay(attempt)
            due = datetime.now(UTC) + timedelta(seconds=delay)
            recorded = await self.logs.finish(
                job_id,
                attempt=attempt,
                status="Queued",
                error=error,
                not_before=due,
                known=running,
            )
            logger.warning(
                "job %s (%s) attempt %d failed, retry in %.2f s: %s",
                message.name,
                job_id,
                attempt,
                delay,
                error,
            )
            if recorded is None:
                return Outcome("skipped")
            retry = message.model_copy(
                update={
                    "attempt": attempt + 1,
                    "not_before": due.timestamp(),
                    "log": log_snapshot(recorded),
                }
            )
            return Outcome("Queued", retry=retry)
        await self.logs.finish(job_id, attempt=attempt, status="Failed", error=error, known=running)
        logger.error(
            "job %s (%s) failed after %d attempts: %s", message.name, job_id, attempt, error
        )
        return Outcome("Failed")
