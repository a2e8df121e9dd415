"""Running an operator command against the site: settings, bootstrap, actor, errors.

Commands that read or write documents (``m import``, ``m export``, ``m user:*``) start the
application like the web server does (the same bootstrap steps, so the same repositories,
permissions and auth services) and stop it afterwards. A failure the operator can fix is
printed as one line on stderr with exit code 1, without a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, TypeVar

from framework_m_core.cli.runtime import run_async
from framework_m_core.exceptions import FrameworkError
from framework_m_standard.cli.user_errors import fail

if TYPE_CHECKING:
    from framework_m_core.interfaces.auth_context import UserContext
    from framework_m_core.interfaces.bootstrap import BootstrapContext
    from framework_m_core.interfaces.tenant import TenantContext
    from framework_m_core.services.actor import Actor
    from framework_m_core.services.documents import DocumentService
    from framework_m_core.settings import Settings
    from framework_m_standard.adapters.auth.service import AuthComponents

T = TypeVar("T")


class CommandError(Exception):
    """A problem to report as ``m: error: <message>`` with exit code 1."""


def run_on_site(body: Callable[[SiteSession], Awaitable[T]]) -> T:
    """Start the application, run ``body`` with it, stop it; user errors exit 1."""
    # The framework loads here, not with the plugin: every `m` command loads every plugin.
    from sqlalchemy.exc import SQLAlchemyError

    from framework_m_core.settings import load_settings
    from framework_m_standard.cli.app_checkout import activate, find_app_checkout

    # What an operator can cause and fix; anything else is a bug and keeps its traceback.
    user_errors = (
        CommandError,
        FrameworkError,
        SQLAlchemyError,
        OSError,
        TimeoutError,
        ImportError,
    )
    settings: Settings | None = None
    # Inside an app checkout, its app's DocTypes are the site's too (as `m start` serves it).
    activate(find_app_checkout())
    try:
        settings = load_settings()
        return run_async(_with_site(settings, body))
    except user_errors as exc:
        fail(one_line(exc, settings))
    except KeyboardInterrupt:
        # What was committed stays (an import's finished batches); say so, not a traceback.
        print("m: interrupted", file=sys.stderr)
        raise SystemExit(130) from None


async def _with_site(settings: Settings, body: Callable[[SiteSession], Awaitable[T]]) -> T:
    from framework_m_core.bootstrap import Bootstrap

    async with Bootstrap(settings) as context:
        return await body(SiteSession(context))


class SiteSession:
    """The started application, as a command sees it."""

    def __init__(self, context: BootstrapContext) -> None:
        self.context = context
        self.settings = context.settings

    @property
    def documents(self) -> DocumentService:
        documents: DocumentService = self.context.state["documents"]
        return documents

    @property
    def auth(self) -> AuthComponents:
        auth: AuthComponents = self.context.state["auth"]
        return auth

    @asynccontextmanager
    async def acting_as(
        self, email: str | None, *, tenant: str | None, reason: str
    ) -> AsyncIterator[Actor]:
        """The enabled user with this e-mail, or the system principal when None (the block
        is then recorded in the audit log with ``reason``, see ``SystemContext``)."""
        from framework_m_core.services.actor import Actor
        from framework_m_core.system_context import SystemContext

        if email is None:
            async with SystemContext(reason=reason) as system:
                yield Actor(user=system, tenant=self.tenant_of(system, tenant))
            return
        user = await self.auth.identity.get_user_by_email(email)
        if user is None:
            raise CommandError(f"no enabled user with the e-mail {email.strip().lower()}")
        yield Actor(user=user, tenant=self.tenant_of(user, tenant))

    def tenant_of(self, user: UserContext, tenant: str | None) -> TenantContext | None:
        """The tenant a command acts in, checked as a request's is (``resolve_tenant``).

        Single-tenant sites have no isolation. On a multi-tenant site a user acts in one of
        their tenants (their only one when ``--tenant`` is left out); the system principal
        may act in any tenant, or across all of them without ``--tenant``.
        """
        from framework_m_standard.adapters.permissions.tenancy import resolve_tenant

        config = self.settings.tenancy
        if config.mode != "multi":
            if tenant is not None:
                raise CommandError("--tenant is for multi-tenant sites ([tenancy] mode = multi)")
            return None
        if tenant is None:
            if user.is_system_user:
                return None
            if len(user.tenants) != 1:
                which = (
                    f"several tenants ({', '.join(user.tenants)})" if user.tenants else "no tenant"
                )
                raise CommandError(f"{user.email} belongs to {which}: choose one with --tenant")
            tenant = user.tenants[0]
        return resolve_tenant(self.settings, {config.header: tenant}, user)


def one_line(exc: BaseException, settings: Settings | None) -> str:
    """An error as one line: the first line of its message, the database named if it is one."""
    from sqlalchemy.exc import DBAPIError

    text = str(exc.orig) if isinstance(exc, DBAPIError) and exc.orig is not None else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = lines[0] if lines else type(exc).__name__
    if isinstance(exc, FileNotFoundError | IsADirectoryError | PermissionError) and exc.filename:
        return f"cannot open {exc.filename}: {exc.strerror}"
    if isinstance(exc, OSError | TimeoutError | DBAPIError) and settings is not None:
        return f"cannot use the database {safe_url(settings.database_url)}: {message}"
    if isinstance(exc, ImportError):
        return f"cannot load the installed apps: {message}"
    return message


def safe_url(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(invalid URL)"


__all__ = ["CommandError", "SiteSession", "fail", "one_line", "run_on_site", "safe_url"]
