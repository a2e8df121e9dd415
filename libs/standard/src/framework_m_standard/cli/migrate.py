"""``m migrate``, ``m migrate:create``, ``m migrate:rollback`` and ``m migrate:status``.

Each command loads the settings and the installed apps, maps their DocTypes, runs one
``MigrationManager`` operation on the default database and disposes the engines. A failure
the user can fix (bad settings or URL, unreachable database, an Alembic error) is printed as
one line on stderr with exit code 1, without a traceback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import cyclopts

from framework_m_core.cli.runtime import run_async
from framework_m_core.exceptions import FrameworkError
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings, load_settings
from framework_m_standard.cli.app_checkout import activate, find_app_checkout
from framework_m_standard.cli.site_runner import one_line
from framework_m_standard.cli.user_errors import fail

if TYPE_CHECKING:
    from framework_m_standard.adapters.db.migrations import (
        MigrationManager,
        MigrationStatus,
        RevisionInfo,
    )

T = TypeVar("T")


def register(app: cyclopts.App) -> None:
    """Add the migrate commands to the ``m`` root."""
    app.command(migrate, name="migrate")
    app.command(migrate_create, name="migrate:create")
    app.command(migrate_rollback, name="migrate:rollback")
    app.command(migrate_status, name="migrate:status")


def migrate(
    *, message: Annotated[str | None, cyclopts.Parameter(["--message", "-m"])] = None
) -> None:
    """Apply pending migrations; first write a revision if the DocTypes changed.

    Parameters
    ----------
    message
        Message of the revision written when the DocTypes changed.
    """

    async def body(manager: MigrationManager) -> None:
        result = await manager.migrate(message=message)
        if result.adopted:
            print(f"Existing tables adopted: database marked as at revision {result.adopted}")
        if result.created is not None:
            print(f"Created revision {_describe(result.created)}: {result.created.path}")
        for revision in result.applied:
            print(f"Applied {_describe(revision)}")
        if not result.changed:
            print("Database is up to date.")

    _run(body)


def migrate_create(name: str, *, empty: bool = False) -> None:
    """Write a revision file from the DocType changes, without applying it.

    Parameters
    ----------
    name
        Message of the revision (also its file name).
    empty
        Write a blank revision to fill in by hand.
    """

    async def body(manager: MigrationManager) -> None:
        revision = await manager.create(name, autogenerate=not empty)
        if revision is None:
            print("No DocType changes: no revision written (use --empty for a blank one).")
            return
        info = manager.revision_info(revision)
        print(f"Created revision {_describe(info)}: {info.path}")

    _run(body)


def migrate_rollback(*, steps: int = 1) -> None:
    """Revert the last applied migrations.

    Parameters
    ----------
    steps
        How many revisions to revert.
    """
    if steps < 1:
        fail("--steps must be at least 1")

    async def body(manager: MigrationManager) -> None:
        if (await manager.status()).current is None:
            print("Nothing to roll back: no migration has been applied.")
            return
        for revision in await manager.downgrade(f"-{steps}"):
            print(f"Reverted {_describe(revision)}")

    _run(body)


def migrate_status() -> None:
    """Show the current and head revisions, pending revisions and unmigrated DocType changes."""

    async def body(manager: MigrationManager) -> None:
        _print_status(await manager.status())

    _run(body)


def _print_status(status: MigrationStatus) -> None:
    print(f"Current revision: {status.current or '(none)'}")
    print(f"Head revision:    {status.head or '(none)'}")
    if status.pending:
        print("Pending revisions:")
        for revision in status.pending:
            print(f"  {_describe(revision)}")
    else:
        print("Pending revisions: none")
    if status.model_changes:
        print("DocType changes without a revision (run `m migrate`):")
        for change in status.model_changes:
            print(f"  {change}")
    else:
        print("DocType changes without a revision: none")
    if status.up_to_date:
        print("Database is up to date.")


def _describe(revision: RevisionInfo) -> str:
    return f"{revision.revision} ({revision.message})" if revision.message else revision.revision


def _run(body: Callable[[MigrationManager], Awaitable[None]]) -> None:
    # Alembic and SQLAlchemy load here, not with the plugin: every `m` command loads plugins.
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    # What a user can cause and fix; anything else is a bug and keeps its traceback.
    user_errors = (
        FrameworkError,
        CommandError,
        RevisionError,
        SQLAlchemyError,
        OSError,
        TimeoutError,
        ImportError,
    )
    settings: Settings | None = None
    # Run inside an app checkout, migrate that app without installing it (as `m start` serves it).
    activate(find_app_checkout())
    try:
        settings = load_settings()
        run_async(_with_manager(settings, body))
    except user_errors as exc:
        fail(one_line(exc, settings))


async def _with_manager(settings: Settings, body: Callable[[MigrationManager], Awaitable[T]]) -> T:
    from framework_m_standard.adapters.db.migrations import MigrationManager
    from framework_m_standard.adapters.db.runtime import DatabaseRuntime

    registry = MetaRegistry()
    registry.load_apps(settings.apps)
    runtime = DatabaseRuntime.build(settings, registry)
    try:
        return await body(MigrationManager(settings, runtime))
    finally:
        await runtime.dispose()
