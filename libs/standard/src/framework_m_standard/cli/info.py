"""``m info``: versions and installed apps; ``--verbose`` adds the platform and the services.

With ``--verbose`` each configured service (every database bind, Redis, NATS) is tried once
with a short time limit and reported as reachable or not, with the reason. ``m info`` itself
succeeds either way: it reports, it does not judge.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
from collections.abc import Awaitable
from importlib.metadata import PackageNotFoundError, entry_points, version
from typing import Annotated

import cyclopts

from framework_m_core.registry import APPS_GROUP
from framework_m_core.settings import Settings, find_config_file
from framework_m_standard.cli.app_checkout import (
    AppCheckout,
    activate,
    find_app_checkout,
    installed_apps,
)
from framework_m_standard.cli.config_cmd import masked
from framework_m_standard.cli.desk_mount import desk_status
from framework_m_standard.cli.output import print_lines
from framework_m_standard.cli.service_checks import (
    check_database,
    check_nats,
    check_redis,
    missing_sqlite_file,
    probe,
)
from framework_m_standard.cli.user_errors import settings_or_fail

PACKAGES = (
    "framework-m",
    "framework-m-core",
    "framework-m-standard",
    "framework-m-desk",
    "framework-m-studio",
)
LIBRARIES = ("litestar", "sqlalchemy", "pydantic", "uvicorn", "alembic", "cyclopts")


def register(app: cyclopts.App) -> None:
    app.command(info, name="info")


def info(
    *,
    verbose: Annotated[bool, cyclopts.Parameter(["--verbose", "-v"], negative=())] = False,
    timeout: float = 3.0,
) -> None:
    """Show versions and installed apps; --verbose adds the services and whether they answer.

    Parameters
    ----------
    verbose
        Also the platform, libraries, settings file and configured services.
    timeout
        Seconds each service may take to answer (with --verbose).
    """
    checkout = find_app_checkout()
    activate(checkout)
    settings = settings_or_fail()
    lines = [f"Framework M {_version('framework-m-core')}"]
    lines += [f"  {name:<22}{_version(name)}" for name in PACKAGES]
    lines.append(f"Python {platform.python_version()} ({platform.python_implementation()})")
    lines.append("Installed apps:")
    lines += _apps(settings, checkout) or ["  (none)"]
    lines.append(f"Desk: {desk_status()}")
    if verbose:
        lines.append(f"Platform: {platform.platform()}")
        lines.append(f"Python executable: {sys.executable}")
        lines.append("Libraries:")
        lines += [f"  {name:<22}{_version(name)}" for name in LIBRARIES]
        config = find_config_file()
        lines.append(f"Settings file: {config if config is not None else '(none: defaults)'}")
        lines.append(f"Environment: {settings.environment}")
        lines.append(f"Services (each given {timeout:g} s to answer):")
        lines += asyncio.run(_services(settings, timeout))
    print_lines(lines)


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def _apps(settings: Settings, checkout: AppCheckout | None) -> list[str]:
    advertised = {ep.name: ep for ep in entry_points(group=APPS_GROUP)}
    from_checkout = set(checkout.apps.values()) if checkout is not None else set()
    lines = []
    for app in installed_apps(settings.apps):
        ep = advertised.get(app)
        if ep is not None:
            dist = ep.dist
            where = f"{dist.name} {dist.version}" if dist is not None else ep.value
            lines.append(f"  {app:<22}{where}")
        elif checkout is not None and app in from_checkout:
            lines.append(f"  {app:<22}not installed, from the checkout {checkout.root}")
        else:
            lines.append(f"  {app:<22}imported from the path")
    return lines


async def _services(settings: Settings, seconds: float) -> list[str]:
    targets: list[tuple[str, str, Awaitable[None] | None]] = []
    for bind, url in settings.bind_urls().items():
        label = "database" if bind == "default" else f"database {bind}"
        # Connecting would create the file: a database not made yet is said as such.
        targets.append((label, url, None if missing_sqlite_file(url) else check_database(url)))
    if settings.redis_url:
        targets.append(("redis", settings.redis_url, check_redis(settings.redis_url)))
    nats_url = getattr(settings, "nats_url", None) or os.environ.get("NATS_URL")
    if nats_url:
        targets.append(("nats", nats_url, check_nats(nats_url)))
    results = await asyncio.gather(
        *(probe(check, seconds=seconds) for _, _, check in targets if check is not None)
    )
    answers = iter(results)
    lines = []
    for label, url, check in targets:
        if check is None:
            state = "not created yet (m migrate or m start creates it)"
        else:
            result = next(answers)
            state = f"{'reachable' if result.ok else 'UNREACHABLE'} ({result.detail})"
        lines.append(f"  {label:<22}{masked(url)}  {state}")
    if not settings.redis_url:
        lines.append(f"  {'redis':<22}not configured (in-process cache and rate limits)")
    if not nats_url:
        lines.append(f"  {'nats':<22}not configured (in-process events and jobs)")
    return lines


__all__ = ["info", "register"]
