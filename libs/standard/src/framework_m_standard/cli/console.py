"""``m console``: a Python REPL on the started site, with top-level ``await``.

The site starts as the server starts it (the same bootstrap steps), and its parts are in the
namespace: ``settings``, ``container``, ``documents``, ``registry``, the other services the
bootstrap built, every DocType by class name, and ``system``, an actor with every right (the
session is written to the audit log as one system operation). Statements run on one event
loop that lives as long as the console, so connections and other loop-bound resources
survive from one statement to the next.

Fed from a pipe (``echo 'print(1)' | m console``) it prints no prompts and exits 1 if a
statement raised, so it can run small scripts.
"""

from __future__ import annotations

import ast
import asyncio
import code
import contextlib
import importlib
import inspect
import sys
import types
from typing import Any

import cyclopts

from framework_m_core.exceptions import FrameworkError
from framework_m_standard.cli.app_checkout import activate, find_app_checkout
from framework_m_standard.cli.user_errors import fail, one_line, settings_or_fail


def register(app: cyclopts.App) -> None:
    app.command(console, name="console")


def console() -> None:
    """Open a Python console (top-level await) with the site started and its services loaded."""
    activate(find_app_checkout())
    settings = settings_or_fail()
    from sqlalchemy.exc import SQLAlchemyError

    from framework_m_core.bootstrap import Bootstrap
    from framework_m_core.services.actor import Actor
    from framework_m_core.system_context import SystemContext

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stack = contextlib.AsyncExitStack()
    try:
        try:
            context = loop.run_until_complete(stack.enter_async_context(Bootstrap(settings)))
            user = loop.run_until_complete(
                stack.enter_async_context(SystemContext(reason="m console session"))
            )
        except (FrameworkError, SQLAlchemyError, OSError, TimeoutError, ImportError) as exc:
            fail(f"cannot start the site: {one_line(exc)}")
        namespace = site_namespace(settings, context, Actor(user=user))
        interactive = sys.stdin.isatty()
        repl = AsyncConsole(namespace, loop)
        if interactive:
            _enable_completion(namespace)
        else:
            sys.ps1 = sys.ps2 = ""
            repl.quiet = True
        repl.interact(banner=_banner(namespace) if interactive else "", exitmsg="")
    finally:
        loop.run_until_complete(stack.aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        loop.close()
    if repl.failed and not interactive:
        raise SystemExit(1)


class AsyncConsole(code.InteractiveConsole):
    """``code.InteractiveConsole`` that compiles with top-level ``await`` and runs the
    resulting coroutines on ``loop``."""

    def __init__(self, namespace: dict[str, Any], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(namespace, filename="<console>")
        self.compile.compiler.flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        self.loop = loop
        self.failed = False
        self.quiet = False
        """Fed from a pipe: no newline at the end of input (the prompt never moved the line)."""
        self._at_end = False

    def raw_input(self, prompt: str = "") -> str:
        try:
            return super().raw_input(prompt)
        except EOFError:
            self._at_end = True
            raise

    def write(self, data: str) -> None:
        if not (self.quiet and self._at_end and data == "\n"):
            super().write(data)

    def runcode(self, code: types.CodeType) -> None:
        try:
            result = types.FunctionType(code, self.locals)()
            if inspect.iscoroutine(result):
                self._run(result)
        except SystemExit:
            raise
        except BaseException:
            self.failed = True
            self.showtraceback()

    def _run(self, coroutine: Any) -> None:
        task = self.loop.create_task(coroutine)
        try:
            self.loop.run_until_complete(task)
        except KeyboardInterrupt:
            # Ctrl+C stops the statement, not the console.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                self.loop.run_until_complete(task)
            raise


def site_namespace(settings: Any, context: Any, system: Any) -> dict[str, Any]:
    """What the console starts with: the site's parts, its DocTypes, and ``system``."""
    state = dict(context.state)
    registry = state.get("registry")
    namespace: dict[str, Any] = {
        "__name__": "__console__",
        "__doc__": None,
        "asyncio": asyncio,
        "settings": settings,
        "container": context.container,
        "state": state,
        "system": system,
        **{name: value for name, value in state.items() if name.isidentifier()},
    }
    with contextlib.suppress(ImportError):  # the public API, when the meta-package is installed
        namespace["framework_m"] = importlib.import_module("framework_m")
    if registry is not None:
        for doctype in registry.doctypes():
            namespace.setdefault(doctype.__name__, doctype)
    return namespace


def _banner(namespace: dict[str, Any]) -> str:
    doctypes = sorted(
        name for name, value in namespace.items() if isinstance(value, type) and name[0].isupper()
    )
    services = sorted(
        name
        for name in namespace
        if not name.startswith("_") and name not in doctypes and name != "asyncio"
    )
    return (
        f"Framework M console, Python {sys.version.split()[0]}. Top-level await works:\n"
        f"    await documents.list(system, User)\n"
        f"Loaded: {', '.join(services)}\n"
        f"DocTypes: {', '.join(doctypes)}\n"
        f"`system` acts with every right; this session is in the audit log. Ctrl+D leaves."
    )


def _enable_completion(namespace: dict[str, Any]) -> None:
    try:
        import readline
        import rlcompleter
    except ImportError:  # not every platform has readline
        return
    readline.set_completer(rlcompleter.Completer(namespace).complete)
    readline.parse_and_bind("tab: complete")


__all__ = ["AsyncConsole", "console", "register", "site_namespace"]
