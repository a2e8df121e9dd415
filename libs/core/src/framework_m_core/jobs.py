"""``@job`` background functions: what a worker (or the in-process queue) may run.

The decorator only marks a function with its options; ``JobRegistry`` collects ``@job``
functions from the installed apps' modules at startup (``my_app.jobs`` is imported first),
and adapters look jobs up by name. A job is an ``async def`` whose first parameter is a
``JobContext`` and whose other parameters are keyword arguments taken from JSON::

    @job(name="my_app.send_digest", timeout=60, retries=5, backoff=2.0)
    async def send_digest(ctx: JobContext, *, team: str) -> dict[str, Any] | None: ...

Options left unset (``None``) take the ``[jobs]`` settings: ``timeout`` 300 s, ``retries`` 3,
``backoff`` base 2 (a failed attempt ``n`` is retried after ``backoff ** n`` seconds).
``cron`` (alias ``schedule``) also runs the job on a schedule; six fields mean seconds first.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, overload

from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.settings import Settings

JobFunction = Callable[..., Awaitable[Any]]
F = TypeVar("F", bound=JobFunction)

JOB_ATTR = "__framework_m_job__"

_ENQUEUING_USER: ContextVar[UserContext | None] = ContextVar(
    "framework_m_enqueuing_user", default=None
)


@contextlib.contextmanager
def enqueue_as(user: UserContext | None) -> Iterator[None]:
    """Jobs enqueued inside this block run as ``user`` (``JobContext.user`` in the worker)."""
    token = _ENQUEUING_USER.set(user)
    try:
        yield
    finally:
        _ENQUEUING_USER.reset(token)


def enqueuing_user() -> UserContext | None:
    """The user set by ``enqueue_as`` for jobs enqueued now, or None (a system run)."""
    return _ENQUEUING_USER.get()


def check_cron(expression: str) -> str:
    """The expression, stripped, if it is a valid cron schedule (5 fields, or 6 with seconds
    first); ``ValueError`` otherwise. croniter checks it when installed (framework-m-standard)."""
    expr = " ".join(expression.split())
    fields = expr.split(" ")
    if len(fields) not in (5, 6):
        raise ValueError("a cron expression has 5 fields (6 with seconds first)")
    try:
        from croniter import croniter  # type: ignore[import-untyped]
    except ImportError:  # core alone: the field count is all we can check
        return expr
    if not croniter.is_valid(expr, second_at_beginning=len(fields) == 6):
        raise ValueError(f"invalid cron expression {expr!r}")
    return expr


@dataclass(frozen=True)
class JobOptions:
    """How one job runs: its registered ``name``, ``timeout`` in seconds, ``retries`` after the
    first attempt, ``backoff`` base, and an optional ``cron`` schedule (``None`` = settings)."""

    name: str
    timeout: float | None = None
    retries: int | None = None
    backoff: float | None = None
    cron: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and waits: ``retries`` more attempts after the first, ``backoff ** attempt`` s apart."""

    retries: int = 3
    backoff: float = 2.0
    max_delay: float = 3600.0

    @property
    def max_attempts(self) -> int:
        return self.retries + 1

    def should_retry(self, attempt: int) -> bool:
        """Whether a failed 1-based ``attempt`` gets another one."""
        return attempt < self.max_attempts

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based) before the next."""
        return float(min(self.backoff**attempt, self.max_delay))


@dataclass
class JobContext:
    """Handed to a job as its first argument.

    ``user`` is the user who enqueued the job (re-hydrated in the worker), or None for system
    runs (schedules); ``documents`` is the permission-checked DocumentService, ``repositories``
    and ``unit_of_work`` the raw factories for system-level work.
    """

    job_id: str
    name: str
    attempt: int
    max_attempts: int
    enqueued_at: datetime
    started_at: datetime
    settings: Settings
    user: UserContext | None = None
    event_bus: Any = None
    unit_of_work: Any = None
    repositories: Any = None
    documents: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


def job_path(func: Callable[..., Any]) -> str:
    """The default job name of a function: ``my_app.jobs.send_digest``."""
    return f"{func.__module__}.{func.__qualname__}"


@overload
def job(func: F, /) -> F: ...
@overload
def job(
    *,
    name: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    cron: str | None = None,
    schedule: str | None = None,
) -> Callable[[F], F]: ...
def job(
    func: F | None = None,
    /,
    *,
    name: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    cron: str | None = None,
    schedule: str | None = None,
) -> F | Callable[[F], F]:
    """Mark an ``async def`` as a background job runnable by name (see the module docstring)."""
    if cron is not None and schedule is not None and cron != schedule:
        raise ValueError("give either cron= or schedule=, not both")
    if timeout is not None and timeout <= 0:
        raise ValueError("job timeout must be positive")
    if retries is not None and retries < 0:
        raise ValueError("job retries must be zero or more")
    if backoff is not None and backoff < 0:
        raise ValueError("job backoff must be zero or more")
    schedule_expr = cron if cron is not None else schedule
    if schedule_expr is not None:
        schedule_expr = check_cron(schedule_expr)

    def mark(fn: F) -> F:
        target: Any = fn  # checked without narrowing F away
        if not inspect.iscoroutinefunction(target):
            raise TypeError(f"@job needs an async function, not {job_path(fn)}")
        options = JobOptions(
            name=name or job_path(fn),
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            cron=schedule_expr,
        )
        setattr(fn, JOB_ATTR, options)
        return fn

    return mark(func) if func is not None else mark


def get_job_options(obj: Any) -> JobOptions | None:
    """The options of a ``@job`` function, or None."""
    options = getattr(obj, JOB_ATTR, None)
    return options if isinstance(options, JobOptions) else None


def is_job(obj: Any) -> bool:
    return get_job_options(obj) is not None


@dataclass(frozen=True)
class RegisteredJob:
    """A job function with its options."""

    func: JobFunction
    options: JobOptions

    @property
    def name(self) -> str:
        return self.options.name


class JobNotFoundError(LookupError):
    """No job is registered under this name."""


class JobRegistry:
    """``@job`` functions by name, collected from the installed apps' modules."""

    def __init__(self) -> None:
        self._jobs: dict[str, RegisteredJob] = {}

    def register(self, func: JobFunction) -> RegisteredJob:
        """Register one ``@job`` function (framework packages call this for their own jobs)."""
        options = get_job_options(func)
        if options is None:
            raise ValueError(f"{job_path(func)} is not decorated with @job")
        existing = self._jobs.get(options.name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"job name {options.name!r} is taken by {job_path(existing.func)}")
        registered = RegisteredJob(func=func, options=options)
        self._jobs[options.name] = registered
        return registered

    def discover(self, packages: Iterable[str]) -> None:
        """Register every ``@job`` function in the loaded modules of these packages.

        A package's ``jobs`` module (``my_app.jobs``) is imported first if it exists.
        """
        prefixes = tuple(packages)
        for package in prefixes:
            try:
                importlib.import_module(f"{package}.jobs")
            except ModuleNotFoundError as exc:
                if exc.name not in (f"{package}.jobs", package):
                    raise
        for module_name, module in list(sys.modules.items()):
            if module is None or not any(
                module_name == p or module_name.startswith(p + ".") for p in prefixes
            ):
                continue
            for _, obj in inspect.getmembers(module, inspect.isfunction):
                if obj.__module__ == module_name and is_job(obj):
                    self.register(obj)

    def get(self, name: str) -> RegisteredJob | None:
        return self._jobs.get(name)

    def require(self, name: str) -> RegisteredJob:
        """The job of this name; ``JobNotFoundError`` if none."""
        found = self._jobs.get(name)
        if found is None:
            raise JobNotFoundError(name)
        return found

    def names(self) -> list[str]:
        return sorted(self._jobs)

    def scheduled(self) -> list[RegisteredJob]:
        """Jobs declared with a ``cron`` schedule."""
        return [j for _, j in sorted(self._jobs.items()) if j.options.cron]

    def __contains__(self, name: object) -> bool:
        return name in self._jobs

    def __len__(self) -> int:
        return len(self._jobs)


__all__ = [
    "JobContext",
    "JobFunction",
    "JobNotFoundError",
    "JobOptions",
    "JobRegistry",
    "RegisteredJob",
    "RetryPolicy",
    "check_cron",
    "enqueue_as",
    "enqueuing_user",
    "get_job_options",
    "is_job",
    "job",
    "job_path",
]
