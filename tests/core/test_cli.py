"""The ``m`` root: version, plugin apps, register-function plugins, broken plugins."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import cyclopts
import pytest

from framework_m_core.cli import build_app, run_async
from framework_m_core.cli.app import core_version, main

GROUP = "framework_m.cli_commands"

hello_app = cyclopts.App(name="hello", help="Say hello.")


@hello_app.default
def hello(name: str = "world") -> None:
    print(f"hello {name}")


def register(app: cyclopts.App) -> None:
    @app.command(name="tool")
    def tool() -> None:
        """Run the tool."""
        print("tool ran")

    @app.command(name="tool:create")
    def tool_create(title: str) -> None:
        """Create something."""
        print(f"created {title}")


NOT_A_PLUGIN = 7


def ep(name: str, attr: str) -> EntryPoint:
    return EntryPoint(name, f"{__name__}:{attr}", GROUP)


PLUGINS = [ep("hello", "hello_app"), ep("tool", "register")]


def run(app: cyclopts.App, *tokens: str) -> object:
    return app(list(tokens), exit_on_error=False, result_action="return_value")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    app = build_app(eps=[])
    assert app.name == ("m",)
    run(app, "--version")
    assert capsys.readouterr().out.strip() == core_version()
    assert core_version() != "0.0.0"  # framework-m-core is installed in the workspace


def test_plugins_appear_in_help_and_run(capsys: pytest.CaptureFixture[str]) -> None:
    app = build_app(eps=PLUGINS)
    run(app, "--help")
    help_text = capsys.readouterr().out
    for command in ("hello", "tool", "tool:create"):
        assert command in help_text
    run(app, "hello", "--name", "ada")
    run(app, "tool")
    run(app, "tool:create", "invoice")
    assert capsys.readouterr().out.splitlines() == ["hello ada", "tool ran", "created invoice"]


@pytest.mark.parametrize(
    "broken",
    [
        EntryPoint("ghost", "fm_no_such_module_anywhere:register", GROUP),
        ep("number", "NOT_A_PLUGIN"),
        ep("missing", "no_such_attribute"),
    ],
)
def test_broken_plugin_warns_and_the_rest_works(
    broken: EntryPoint, capsys: pytest.CaptureFixture[str]
) -> None:
    app = build_app(eps=[broken, *PLUGINS])
    err = capsys.readouterr().err
    assert "warning" in err
    assert repr(broken.name) in err
    run(app, "tool")
    assert capsys.readouterr().out.strip() == "tool ran"
    with pytest.raises(cyclopts.CycloptsError):
        run(app, broken.name)


def test_unknown_command_is_an_error() -> None:
    with pytest.raises(cyclopts.CycloptsError):
        run(build_app(eps=[]), "nope")


def test_main_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code in (0, None)
    assert core_version() in capsys.readouterr().out


def test_run_async_returns_the_result() -> None:
    async def compute() -> int:
        return 42

    assert run_async(compute()) == 42
