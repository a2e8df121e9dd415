"""The framework side of a session: its environment, its schema and its users.

The servers run with ``FRAMEWORK_M_ENVIRONMENT=production``, which never syncs the schema at
start-up; the schema is created once beforehand by a bootstrap with ``auto_sync_schema`` on
(what ``m migrate`` would do from revision files, without writing any into the repository).
"""

from __future__ import annotations

import functools
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table

from framework_m_core.bootstrap import Bootstrap
from framework_m_core.settings import load_settings
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

from .databases import BenchDatabase

BENCH_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = BENCH_DIR.parent
SITE_DIR = BENCH_DIR / "site"
APP = "bench_app"
BENCH_DOCTYPES = ("BenchItem", "BenchOpenItem", "BenchOrder", "BenchLine", "BenchEvent")
USERS: dict[str, list[str]] = {"alice": ["Employee"], "bob": ["Employee"]}


@functools.cache
def secret_key() -> str:
    """One key per session: tokens only have to outlive it."""
    return secrets.token_urlsafe(48)


def email(user: str) -> str:
    return f"{user}@bench.example.com"


def password(user: str) -> str:
    return f"pw-{user}-bench-secret"


def python_path(*extra: Path) -> str:
    """The bench site (the DocTypes) and the repo root (``bench.baseline_app``) on the path."""
    parts = [str(p) for p in (*extra, SITE_DIR, REPO_DIR)]
    return os.pathsep.join([*parts, os.environ.get("PYTHONPATH", "")])


def framework_env(
    database: BenchDatabase, root: Path, *, apps: str = APP, extra_path: tuple[Path, ...] = ()
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database.url,
            "FRAMEWORK_M_APPS": f'["{apps}"]',
            "FRAMEWORK_M_ENVIRONMENT": "production",
            "FRAMEWORK_M_AUTH__SECRET_KEY": secret_key(),
            # A full session takes longer than the default hour of a token.
            "FRAMEWORK_M_AUTH__ACCESS_TOKEN_TTL": "86400",
            "FRAMEWORK_M_PROJECT_ROOT": str(root),
            # As many pooled connections as wrk keeps requests in flight, like the baseline's
            # asyncpg pool (max 16): with fewer, every burst opens and closes overflow
            # connections (SQLAlchemy closes those on return).
            "FRAMEWORK_M_DB_POOL__POOL_SIZE": "16",
            "PYTHONPATH": python_path(*extra_path),
        }
    )
    return env


@dataclass(frozen=True)
class Site:
    """What seeding and the baseline need to know about the prepared database."""

    user_ids: dict[str, str]
    tables: dict[str, Table]
    """The framework's own table of each bench DocType (seeding writes every column of it)."""


async def prepare_site(env: Mapping[str, str]) -> Site:
    """Create the schema (as a migration would) and the users; return their ids and tables."""
    if str(SITE_DIR) not in sys.path:
        sys.path.insert(0, str(SITE_DIR))
    settings = load_settings(env=env, config_file=None, overrides={"auto_sync_schema": True})
    user_ids: dict[str, str] = {}
    async with Bootstrap(settings) as context:
        identity = context.state["auth"].identity
        for user, roles in USERS.items():
            created = await identity.create_user(email(user), password(user), roles=roles)
            user_ids[user] = str(created.id)
        database: DatabaseRuntime = context.state["database"]
        tables = {name: database.tables.get_mapping(name).table for name in BENCH_DOCTYPES}
    return Site(user_ids=user_ids, tables=tables)
