"""``m user:create``, ``m user:set-password``, ``m user:roles`` and ``m api-key:create``.

An operator bootstraps a site with these, without the Desk (the first System Manager is
made with ``m user:create EMAIL --system-manager``). They use the site's own identity and
API-key services, so passwords are hashed and keys made exactly as the web app does, and
run as the system principal, recorded in the audit log.
"""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import cyclopts

from framework_m_standard.cli.site_runner import CommandError, SiteSession, run_on_site
from framework_m_standard.cli.user_errors import fail

_NO_EMPTY = cyclopts.Parameter(negative=())


def register(app: cyclopts.App) -> None:
    """Add the user and API-key commands to the ``m`` root."""
    app.command(user_create, name="user:create")
    app.command(user_set_password, name="user:set-password")
    app.command(user_roles, name="user:roles")
    app.command(api_key_create, name="api-key:create")


def user_create(
    email: str,
    /,
    *,
    password: str | None = None,
    password_stdin: bool = False,
    role: Annotated[list[str] | None, _NO_EMPTY] = None,
    name: str | None = None,
    tenant: Annotated[list[str] | None, _NO_EMPTY] = None,
    team: Annotated[list[str] | None, _NO_EMPTY] = None,
    system_manager: bool = False,
) -> None:
    """Create a user who can sign in.

    Parameters
    ----------
    email
        The user's e-mail address (their login; stored lower-case).
    password
        The password. Asked for (twice, without echo) on a terminal when left out.
    password_stdin
        Read the password from the first line of standard input (for scripts: keeps it
        out of the process list and the shell history).
    role
        A role to give (repeatable: --role Sales --role Support).
    name
        The full name.
    tenant
        A tenant the user belongs to (repeatable; multi-tenant sites).
    team
        A team the user is in (repeatable; for row-level security by team).
    system_manager
        Also give the System Manager role (administrator of the site).
    """
    from framework_m_core.doctypes import ADMIN_ROLE

    secret = read_password(password, from_stdin=password_stdin)
    roles = clean_roles(role or [])
    if system_manager and ADMIN_ROLE not in roles:
        roles.append(ADMIN_ROLE)
    tenants = clean_names(tenant or [], "tenant")
    teams = clean_names(team or [], "team")

    async def body(site: SiteSession) -> tuple[str, str, list[str]]:
        async with site.acting_as(None, tenant=None, reason=f"m user:create {email}"):
            user = await site.auth.identity.create_user(
                email, secret, full_name=name, roles=roles, tenants=tenants, teams=teams
            )
        return user.email, str(user.id), list(user.roles)

    address, user_id, granted = run_on_site(body)
    print(f"Created user {address} ({user_id}); roles: {describe_roles(granted)}")


def user_set_password(
    email: str, /, *, password: str | None = None, password_stdin: bool = False
) -> None:
    """Set a user's password.

    Parameters
    ----------
    email
        The user's e-mail address.
    password
        The new password. Asked for (twice, without echo) on a terminal when left out.
    password_stdin
        Read the password from the first line of standard input.
    """
    secret = read_password(password, from_stdin=password_stdin)

    async def body(site: SiteSession) -> None:
        async with site.acting_as(None, tenant=None, reason=f"m user:set-password {email}"):
            await site.auth.identity.set_password(email, secret)

    run_on_site(body)
    print(f"Password of {email.strip().lower()} changed.")


def user_roles(
    email: str,
    /,
    *,
    add: Annotated[list[str] | None, _NO_EMPTY] = None,
    remove: Annotated[list[str] | None, _NO_EMPTY] = None,
) -> None:
    """Add roles to a user or take them away, and print the user's roles.

    Without --add or --remove it only prints them. The change applies to the user's next
    sign-in (a token already issued keeps the roles it was issued with until it expires).

    Parameters
    ----------
    email
        The user's e-mail address.
    add
        A role to give (repeatable).
    remove
        A role to take away (repeatable).
    """
    adding = clean_roles(add or [])
    removing = clean_roles(remove or [])
    both = sorted(set(adding) & set(removing))
    if both:
        fail(f"a role cannot be added and removed at once: {', '.join(both)}")

    async def body(site: SiteSession) -> list[str]:
        from framework_m_core.doctypes import User

        identity = site.auth.identity
        async with site.acting_as(None, tenant=None, reason=f"m user:roles {email}") as actor:
            user = await identity.find_by_email(email)
            if user is None:
                raise CommandError(f"no user with the e-mail {email.strip().lower()}")
            if not adding and not removing:
                return list(user.roles)
            roles = [r for r in user.roles if r not in removing]
            roles.extend(r for r in adding if r not in roles)
            # Through the document service: the User DocType's validation and hooks apply,
            # and a concurrent edit of the user is a version conflict, not a lost update.
            values = {"roles": roles, "_version": user.version}
            saved = await site.documents.update(actor, User, user.id, values)
            return list(saved.roles)

    roles = run_on_site(body)
    print(f"{email.strip().lower()}: {describe_roles(roles)}")


def api_key_create(
    email: str,
    /,
    *,
    scope: Annotated[list[str] | None, _NO_EMPTY] = None,
    expires_days: int | None = None,
    label: str = "",
) -> None:
    """Create an API key for a user and print it (it is shown this once, never stored).

    The key goes to standard output alone, so KEY=$(m api-key:create ...) works; send it
    in the X-API-Key header.

    Parameters
    ----------
    email
        The user the key acts as.
    scope
        Limit the key to an action: read, write, create, delete, submit, cancel, or one
        DocType's (Invoice:read, *:create). Repeatable; none means the user's full rights.
    expires_days
        Days until the key expires; by default it does not.
    label
        What the key is for (shown in the user's key list).
    """
    scopes = [s.strip() for s in scope or []]
    if any(not s or "\x00" in s for s in scopes):
        fail("a --scope cannot be empty")
    if expires_days is not None and expires_days < 1:
        fail("--expires-days must be at least 1")
    expires_at = datetime.now(UTC) + timedelta(days=expires_days) if expires_days else None

    async def body(site: SiteSession) -> tuple[str, str]:
        async with site.acting_as(None, tenant=None, reason=f"m api-key:create {email}"):
            user = await site.auth.identity.get_user_by_email(email)
            if user is None:
                raise CommandError(f"no enabled user with the e-mail {email.strip().lower()}")
            raw_key, api_key = await site.auth.service.create_api_key(
                user.id, label=label, scopes=scopes, expires_at=expires_at
            )
            return raw_key, str(api_key.id)

    raw_key, key_id = run_on_site(body)
    details = f"scopes: {', '.join(scopes) or 'all of the user rights'}"
    if expires_at is not None:
        details += f"; expires {expires_at:%Y-%m-%d %H:%M} UTC"
    print(
        f"API key {key_id} for {email.strip().lower()} ({details}). "
        "It is shown only now: store it safely.",
        file=sys.stderr,
    )
    print(raw_key)


def read_password(given: str | None, *, from_stdin: bool = False) -> str:
    """``--password``, the first line of stdin, or asked for twice on a terminal."""
    if from_stdin:
        if given is not None:
            fail("give either --password or --password-stdin, not both")
        secret = sys.stdin.readline().rstrip("\r\n")
        if not secret:
            fail("no password on standard input")
        return secret
    if given is not None:
        return given
    if not sys.stdin.isatty():
        fail("no password given: use --password (stdin is not a terminal to ask on)")
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password again: ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        fail("no password given")
    if first != second:
        fail("the passwords do not match")
    return first


def clean_roles(roles: list[str]) -> list[str]:
    """Role names trimmed and de-duplicated; an empty name is an error."""
    return clean_names(roles, "role")


def clean_names(names: list[str], what: str) -> list[str]:
    """Names trimmed and de-duplicated; an empty one is an error."""
    cleaned = [name.strip() for name in names]
    if any(not name for name in cleaned):
        fail(f"a {what} name cannot be empty")
    return list(dict.fromkeys(cleaned))


def describe_roles(roles: list[str]) -> str:
    return ", ".join(roles) if roles else "(none)"


__all__ = [
    "api_key_create",
    "clean_roles",
    "read_password",
    "register",
    "user_create",
    "user_roles",
    "user_set_password",
]
