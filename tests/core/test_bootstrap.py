"""Bootstrap steps: discovery, replacement by name, ordering, rollback and stop."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint

import pytest

from framework_m_core.bootstrap import Bootstrap, discover_steps, load_step, select_steps
from framework_m_core.container import Container
from framework_m_core.exceptions import BootstrapError
from framework_m_core.interfaces.bootstrap import BootstrapContext, BootstrapStep
from framework_m_core.settings import Settings

GROUP = "framework_m.bootstrap"


class Step:
    def __init__(
        self,
        name: str,
        order: int,
        log: list[str] | None = None,
        *,
        priority: int = 0,
        fail_run: bool = False,
        fail_shutdown: bool = False,
    ) -> None:
        self.name = name
        self.order = order
        self.priority = priority
        self.log = log if log is not None else []
        self.fail_run = fail_run
        self.fail_shutdown = fail_shutdown

    async def run(self, context: BootstrapContext) -> None:
        self.log.append(f"run {self.name}")
        if self.fail_run:
            raise RuntimeError(f"{self.name} exploded")

    async def shutdown(self, context: BootstrapContext) -> None:
        self.log.append(f"shutdown {self.name}")
        if self.fail_shutdown:
            raise RuntimeError(f"{self.name} would not stop")


class InitEngine(Step):
    def __init__(self) -> None:
        super().__init__("init_engine", 10)


class BetterEngine(Step):
    def __init__(self) -> None:
        super().__init__("init_engine", 10, priority=5)


class RivalEngine(Step):
    def __init__(self) -> None:
        super().__init__("init_engine", 10, priority=5)


def make_sync_schema() -> Step:
    return Step("sync_schema", 30)


REGISTRIES = Step("init_registries", 20)
NOT_A_STEP = object()


def ep(name: str, obj: object) -> EntryPoint:
    return EntryPoint(name, f"{__name__}:{obj.__qualname__}", GROUP)  # type: ignore[attr-defined]


def names(steps: list[BootstrapStep]) -> list[str]:
    return [step.name for step in steps]


def test_steps_satisfy_the_protocol() -> None:
    assert isinstance(Step("a", 1), BootstrapStep)
    assert not isinstance(NOT_A_STEP, BootstrapStep)


def test_discover_loads_classes_factories_and_instances_in_order() -> None:
    eps = [ep("sync_schema", make_sync_schema), ep("init_engine", InitEngine)]
    eps.append(EntryPoint("init_registries", f"{__name__}:REGISTRIES", GROUP))
    steps = discover_steps(Settings(), eps=eps)
    assert names(steps) == ["init_engine", "init_registries", "sync_schema"]
    assert isinstance(steps[0], InitEngine)
    assert steps[1] is REGISTRIES


def test_higher_priority_replaces_a_step_of_the_same_name() -> None:
    steps = discover_steps(
        Settings(), eps=[ep("init_engine", InitEngine), ep("better", BetterEngine)]
    )
    assert len(steps) == 1
    assert isinstance(steps[0], BetterEngine)
    # order of discovery does not matter
    steps = discover_steps(
        Settings(), eps=[ep("better", BetterEngine), ep("init_engine", InitEngine)]
    )
    assert isinstance(steps[0], BetterEngine)


def test_equal_priority_tie_names_both_steps() -> None:
    with pytest.raises(BootstrapError) as info:
        discover_steps(Settings(), eps=[ep("a", BetterEngine), ep("b", RivalEngine)])
    assert "BetterEngine" in str(info.value)
    assert "RivalEngine" in str(info.value)


def test_same_entry_point_twice_is_not_a_tie() -> None:
    steps = discover_steps(Settings(), eps=[ep("e", InitEngine), ep("e", InitEngine)])
    assert names(steps) == ["init_engine"]


def test_disabled_steps_are_dropped() -> None:
    settings = Settings(bootstrap_disable=["sync_schema"])
    steps = discover_steps(settings, eps=[ep("e", InitEngine), ep("s", make_sync_schema)])
    assert names(steps) == ["init_engine"]


def test_order_ties_sort_by_name() -> None:
    steps = select_steps([Step("b", 1), Step("c", 0), Step("a", 1)])
    assert names(steps) == ["c", "a", "b"]


@pytest.mark.parametrize(
    "entry",
    [
        EntryPoint("bad", f"{__name__}:NOT_A_STEP", GROUP),
        EntryPoint("missing", "fm_no_such_module_anywhere:Step", GROUP),
    ],
)
def test_bad_entry_points_raise_bootstrap_error(entry: EntryPoint) -> None:
    with pytest.raises(BootstrapError, match=entry.name):
        load_step(entry)


async def test_start_runs_in_order_and_exit_stops_in_reverse() -> None:
    log: list[str] = []
    steps = [Step("c", 30, log), Step("a", 10, log), Step("b", 20, log)]
    boot = Bootstrap(Settings(), steps=steps)
    async with boot as context:
        assert isinstance(context, BootstrapContext)
        # a DeclarativeContainer instance is a DynamicContainer at runtime
        assert context.container.settings() is context.settings
        assert names(boot.started) == ["a", "b", "c"]
        assert log == ["run a", "run b", "run c"]
    assert log[3:] == ["shutdown c", "shutdown b", "shutdown a"]
    assert boot.started == []


async def test_steps_share_state_and_container() -> None:
    class Producer(Step):
        async def run(self, context: BootstrapContext) -> None:
            context.state["engine"] = "the-engine"

    seen: list[object] = []

    class Consumer(Step):
        async def run(self, context: BootstrapContext) -> None:
            seen.append(context.state["engine"])
            seen.append(context.container.settings())

    settings = Settings()
    async with Bootstrap(settings, steps=[Consumer("use", 2), Producer("make", 1)]):
        pass
    assert seen == ["the-engine", settings]


async def test_failed_step_rolls_back_started_steps_in_reverse() -> None:
    log: list[str] = []
    steps = [
        Step("a", 10, log),
        Step("b", 20, log),
        Step("c", 30, log, fail_run=True),
        Step("d", 40, log),
    ]
    boot = Bootstrap(Settings(), steps=steps)
    with pytest.raises(BootstrapError, match="'c' failed: c exploded") as info:
        await boot.start()
    assert isinstance(info.value.__cause__, RuntimeError)
    assert info.value.context["step"] == "c"
    assert log == ["run a", "run b", "run c", "shutdown b", "shutdown a"]
    assert boot.started == []


async def test_stop_continues_past_a_failing_shutdown(caplog: pytest.LogCaptureFixture) -> None:
    log: list[str] = []
    steps = [Step("a", 1, log), Step("b", 2, log, fail_shutdown=True), Step("c", 3, log)]
    boot = Bootstrap(Settings(), steps=steps)
    await boot.start()
    with caplog.at_level(logging.ERROR, logger="framework_m_core.bootstrap"):
        await boot.stop()
    assert log[3:] == ["shutdown c", "shutdown b", "shutdown a"]
    assert "b failed to shut down" in caplog.text


async def test_start_twice_is_an_error() -> None:
    boot = Bootstrap(Settings(), steps=[Step("a", 1)])
    await boot.start()
    with pytest.raises(BootstrapError, match="already started"):
        await boot.start()
    await boot.stop()
    await boot.start()  # a stopped bootstrap can start again
    await boot.stop()


async def test_extra_steps_join_and_replace_by_priority() -> None:
    log: list[str] = []
    settings = Settings(bootstrap_disable=["skipped"])
    boot = Bootstrap(
        settings,
        steps=[Step("a", 1, log), Step("b", 2, log)],
        extra_steps=[Step("b", 2, log, priority=1), Step("z", 0, log), Step("skipped", 5, log)],
    )
    chosen = boot.steps()
    assert names(chosen) == ["z", "a", "b"]
    assert chosen[2].priority == 1


async def test_given_container_is_used() -> None:
    container = Container()
    boot = Bootstrap(Settings(), steps=[], container=container)
    async with boot as context:
        assert context.container is container
