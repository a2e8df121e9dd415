"""The composition root's runner: discover bootstrap steps and run them in order.

``async with Bootstrap(settings) as context: ...`` starts every step in ``(order, name)``
order and shuts them down in reverse when the block ends. A step that fails to start
shuts down the steps already started, then raises :class:`BootstrapError`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points
from types import TracebackType
from typing import Any

from framework_m_core.container import Container, build_container
from framework_m_core.exceptions import BootstrapError
from framework_m_core.interfaces.bootstrap import BootstrapContext, BootstrapStep
from framework_m_core.settings import Settings

BOOTSTRAP_GROUP = "framework_m.bootstrap"

logger = logging.getLogger(__name__)


def load_step(ep: EntryPoint) -> BootstrapStep:
    """The step an entry point names: a class or no-argument factory is called, an instance used as is."""
    try:
        obj: Any = ep.load()
        if isinstance(obj, type) or (callable(obj) and not isinstance(obj, BootstrapStep)):
            obj = obj()
    except Exception as exc:
        raise BootstrapError(
            f"Cannot load bootstrap step {ep.name!r} ({ep.value}): {exc}", step=ep.name
        ) from exc
    if not isinstance(obj, BootstrapStep):
        raise BootstrapError(
            f"Bootstrap entry point {ep.name!r} ({ep.value}) is not a BootstrapStep", step=ep.name
        )
    return obj


def select_steps(
    steps: Iterable[BootstrapStep], *, disable: Iterable[str] = ()
) -> list[BootstrapStep]:
    """Keep the highest-priority step per name, drop disabled names, sort by ``(order, name)``."""
    chosen: dict[str, BootstrapStep] = {}
    for step in steps:
        current = chosen.get(step.name)
        if current is None or step.priority > current.priority:
            chosen[step.name] = step
        elif step.priority == current.priority and step is not current:
            raise BootstrapError(
                f"Two bootstrap steps named {step.name!r} have priority {step.priority}: "
                f"{_where(current)} and {_where(step)}; give one a higher priority",
                step=step.name,
            )
    disabled = set(disable)
    kept = [step for name, step in chosen.items() if name not in disabled]
    return sorted(kept, key=lambda step: (step.order, step.name))


def discover_steps(
    settings: Settings, *, eps: Iterable[EntryPoint] | None = None
) -> list[BootstrapStep]:
    """The steps of the ``framework_m.bootstrap`` entry points (or ``eps``), selected and sorted."""
    found = entry_points(group=BOOTSTRAP_GROUP) if eps is None else eps
    # One step per target: the same class advertised twice is one step, not a tie.
    unique = {(ep.name, ep.value): ep for ep in found}
    return select_steps(
        (load_step(ep) for ep in unique.values()), disable=settings.bootstrap_disable
    )


class Bootstrap:
    """Starts the application's steps in order and stops them in reverse."""

    def __init__(
        self,
        settings: Settings,
        *,
        steps: Sequence[BootstrapStep] | None = None,
        extra_steps: Sequence[BootstrapStep] = (),
        container: Container | None = None,
    ) -> None:
        """``steps`` replaces discovery (tests); ``extra_steps`` joins the discovered ones."""
        self.settings = settings
        self.context = BootstrapContext(
            settings=settings,
            container=container if container is not None else build_container(settings),
        )
        self._explicit = list(steps) if steps is not None else None
        self._extra = list(extra_steps)
        self._started: list[BootstrapStep] = []
        self._running = False

    @property
    def started(self) -> list[BootstrapStep]:
        """The steps that have started and not yet shut down, in start order."""
        return list(self._started)

    def steps(self) -> list[BootstrapStep]:
        """The steps ``start`` will run, in order."""
        base = self._explicit if self._explicit is not None else discover_steps(self.settings)
        return select_steps([*base, *self._extra], disable=self.settings.bootstrap_disable)

    async def start(self) -> BootstrapContext:
        """Run every step; on failure shut down the started ones in reverse and raise."""
        if self._running:
            raise BootstrapError("Bootstrap has already started")
        steps = self.steps()
        self._running = True
        for step in steps:
            try:
                await step.run(self.context)
            except Exception as exc:
                await self.stop()
                raise BootstrapError(
                    f"Bootstrap step {step.name!r} failed: {exc}", step=step.name
                ) from exc
            self._started.append(step)
            logger.debug("bootstrap step %s started", step.name)
        return self.context

    async def stop(self) -> None:
        """Shut down the started steps in reverse order; a failing shutdown is logged, not raised."""
        while self._started:
            step = self._started.pop()
            try:
                await step.shutdown(self.context)
            except Exception:
                logger.exception("bootstrap step %s failed to shut down", step.name)
        self._running = False

    async def __aenter__(self) -> BootstrapContext:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def _where(step: BootstrapStep) -> str:
    cls = type(step)
    return f"{cls.__module__}.{cls.__qualname__}"


__all__ = [
    "BOOTSTRAP_GROUP",
    "Bootstrap",
    "BootstrapContext",
    "BootstrapStep",
    "discover_steps",
    "load_step",
    "select_steps",
]


def freeze_startup_heap() -> None:
    """Call once a long-lived process (server, worker) has started: what startup built lives
    as long as the process, so keep it out of every later garbage collection, whose full
    passes over it otherwise cost milliseconds per request and a good share of a bulk save."""
    gc.collect()
    gc.freeze()
