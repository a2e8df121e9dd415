"""The jobs API: ``/api/v1/jobs`` lists JobLog runs, one run, cancel and retry.

Reads and writes go through ``DocumentService`` with the JobLog DocType's permissions
(administrators by default), so row-level rules apply as on any list.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import PathParameter, QueryParameter

from framework_m_core.doctypes.job_log import JobLog
from framework_m_core.exceptions import BootstrapError
from framework_m_core.jobs import enqueue_as
from framework_m_standard.adapters.jobs.base import BaseJobQueue, JobStateError
from framework_m_standard.adapters.web.errors import ERROR_RESPONSES
from framework_m_standard.adapters.web.query_params import (
    parse_fields,
    parse_filters,
    parse_order_by,
)
from framework_m_standard.adapters.web.responses import json_response
from framework_m_standard.adapters.web.runtime import get_runtime
from framework_m_standard.adapters.web.security import actor_of

JOBS_STATE_KEY = "framework_m_jobs"
_READ = {"permission": "JobLog:read"}
_WRITE = {"permission": "JobLog:write"}


def _errors(*codes: int) -> dict[int, Any]:
    return {code: ERROR_RESPONSES[code] for code in (400, 401, 403, 429, *codes)}


async def attach_jobs(app: Litestar, state: dict[str, Any]) -> None:
    """At startup: hand the job queue to the routes; without NATS also run jobs and the
    scheduler in this process (with NATS, ``m worker`` processes do)."""
    queue = state.get("jobs")
    app.state[JOBS_STATE_KEY] = queue
    if queue is not None and not queue.settings.nats_url:
        from framework_m_standard.adapters.jobs.processing import run_jobs_here

        await run_jobs_here(state)


def _queue(state: State) -> BaseJobQueue:
    queue = state.get(JOBS_STATE_KEY)
    if not isinstance(queue, BaseJobQueue):
        raise BootstrapError("The job queue has not started")
    return queue


@get(
    "/api/v1/jobs",
    tags=["jobs"],
    opt=_READ,
    operation_id="listJobs",
    responses=_errors(422),
)
async def list_jobs(
    request: Request[Any, Any, Any],
    filters: Annotated[str | None, QueryParameter(max_length=8192)] = None,
    fields: Annotated[str | None, QueryParameter(max_length=4096)] = None,
    order_by: Annotated[str | None, QueryParameter(max_length=1024)] = None,
    limit: Annotated[int, QueryParameter(ge=0, le=1000)] = 20,
    offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,
    with_total: Annotated[bool, QueryParameter()] = False,
) -> Response[Any]:
    """Job runs (JobLog), newest first unless ``order_by`` says otherwise."""
    runtime, actor = get_runtime(request), actor_of(request)
    page = await runtime.documents.list_records(
        actor,
        JobLog,
        filters=parse_filters(filters),
        order_by=parse_order_by(order_by or "enqueued_at desc"),
        limit=min(limit, runtime.settings.http.max_page_size),
        offset=offset,
        fields=parse_fields(fields),
        with_total=with_total,
    )
    return json_response(
        {
            "data": page.items,
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
            "has_more": page.has_more,
        }
    )


@get(
    "/api/v1/jobs/{job_id:uuid}",
    tags=["jobs"],
    opt=_READ,
    operation_id="getJob",
    responses=_errors(404),
)
async def get_job(
    request: Request[Any, Any, Any], job_id: Annotated[UUID, PathParameter()]
) -> Response[Any]:
    """One job run: status, attempts, times, result or error."""
    runtime, actor = get_runtime(request), actor_of(request)
    return json_response(await runtime.documents.get_record(actor, JobLog, job_id))


@post(
    "/api/v1/jobs/{job_id:uuid}/cancel",
    tags=["jobs"],
    opt={**_WRITE, "permission_note": "only a Queued job can be cancelled (409 otherwise)"},
    operation_id="cancelJob",
    responses=_errors(404, 409),
    status_code=200,
)
async def cancel_job(
    request: Request[Any, Any, Any], job_id: Annotated[UUID, PathParameter()]
) -> Response[Any]:
    """Cancel a queued job: it will not start."""
    runtime, actor = get_runtime(request), actor_of(request)
    documents = runtime.documents
    await documents.get_for(actor, JobLog, job_id, "write")
    queue = _queue(request.app.state)
    if not await queue.cancel(str(job_id)):
        log = await queue.logs.get(job_id)
        status = log.status if log is not None else "unknown"
        raise JobStateError(f"Job {job_id} is {status}; only a Queued job can be cancelled")
    return json_response(await documents.get_record(actor, JobLog, job_id))


@post(
    "/api/v1/jobs/{job_id:uuid}/retry",
    tags=["jobs"],
    opt={**_WRITE, "permission_note": "only a Failed or Cancelled job (409 otherwise)"},
    operation_id="retryJob",
    responses=_errors(404, 409),
    status_code=201,
)
async def retry_job(
    request: Request[Any, Any, Any], job_id: Annotated[UUID, PathParameter()]
) -> Response[Any]:
    """Run a failed or cancelled job again with the same arguments, as a new job."""
    runtime, actor = get_runtime(request), actor_of(request)
    documents = runtime.documents
    await documents.get_for(actor, JobLog, job_id, "write")
    with enqueue_as(actor.user):
        new_id = await _queue(request.app.state).retry(str(job_id))
    return json_response(await documents.get_record(actor, JobLog, UUID(new_id)), status_code=201)


JOB_HANDLERS = [list_jobs, get_job, cancel_job, retry_job]
