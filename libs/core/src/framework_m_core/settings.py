"""Settings: ``framework_config.toml`` (found in the working directory or a parent) + environment.

Priority: environment variables > ``framework_config.toml`` > defaults. Every setting can be
given in the environment as ``FRAMEWORK_M_<NAME>``; the database URL also as ``DATABASE_URL``.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from framework_m_core.exceptions import ConfigurationError

CONFIG_FILE = "framework_config.toml"
ENV_PREFIX = "FRAMEWORK_M_"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class DatabasePoolSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_size: int = 10
    """Connections kept open per engine (PostgreSQL)."""
    max_overflow: int = 20
    """Extra connections allowed under load."""
    pool_timeout: float = 30.0
    """Seconds to wait for a free connection."""
    pool_recycle: int = 1800
    """Seconds after which a connection is replaced."""
    pool_pre_ping: bool = True
    """Check a connection before handing it out."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    environment: Literal["development", "production", "test"] = "development"
    """Development enables schema sync at startup and debug logging."""
    database_url: str = "sqlite+aiosqlite:///./framework_m.db"
    """The default database (SQLite file by default, PostgreSQL via ``postgresql+asyncpg://``)."""
    db_binds: dict[str, str] = Field(default_factory=dict)
    """Further named databases, for DocTypes whose ``Meta.bind`` names them."""
    db_pool: DatabasePoolSettings = Field(default_factory=DatabasePoolSettings)
    """Connection pool options for every engine."""
    db_echo: bool = False
    """Log every SQL statement."""
    apps: list[str] | None = None
    """Installed apps in load order; None loads every ``framework_m.apps`` entry point."""
    auto_sync_schema: bool | None = None
    """Create missing tables and nullable columns at startup; defaults to on in development."""
    migrations_dir: str = "migrations"
    """Where ``m migrate:create`` writes Alembic revisions (relative to the project root)."""
    adapters: dict[str, str] = Field(default_factory=dict)
    """Explicit adapter per port (``module:attr``); beats entry points and defaults."""
    bootstrap_disable: list[str] = Field(default_factory=list)
    """Bootstrap steps to skip by name."""
    project_root: str = "."
    """Directory of ``framework_config.toml`` (or the working directory)."""

    @property
    def schema_sync_enabled(self) -> bool:
        if self.auto_sync_schema is not None:
            return self.auto_sync_schema
        return self.environment != "production"

    def bind_urls(self) -> dict[str, str]:
        """Every database bind by name, ``default`` first."""
        return {"default": self.database_url, **self.db_binds}

    def path(self, relative: str) -> Path:
        """A path resolved against the project root."""
        candidate = Path(relative)
        return candidate if candidate.is_absolute() else Path(self.project_root) / candidate


def find_config_file(start: Path | None = None) -> Path | None:
    """``framework_config.toml`` in ``start`` (the working directory) or the nearest parent."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


def load_settings(
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read settings from the config file, then the environment, then explicit overrides."""
    environ = os.environ if env is None else env
    path = config_file or find_config_file()
    values: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"Cannot read {path}: {exc}", path=str(path)) from exc
        # Settings live at the top level or under [framework].
        values.update({k: v for k, v in data.items() if k != "framework"})
        values.update(data.get("framework", {}))
        values.setdefault("project_root", str(path.parent))
    values = _expand(values, environ)
    for name, field in Settings.model_fields.items():
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = _parse_env(raw, field.annotation)
    if "DATABASE_URL" in environ and ENV_PREFIX + "DATABASE_URL" not in environ:
        values["database_url"] = environ["DATABASE_URL"]
    values.update(overrides or {})
    try:
        return Settings.model_validate(values)
    except ValueError as exc:
        raise ConfigurationError(f"Invalid settings: {exc}") from exc


def _expand(value: Any, environ: Mapping[str, str]) -> Any:
    """Replace ``${VAR}`` and ``${VAR:-default}`` in string values."""
    if isinstance(value, str):
        return _ENV_REF.sub(lambda m: environ.get(m.group(1), m.group(2) or ""), value)
    if isinstance(value, dict):
        return {k: _expand(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, environ) for v in value]
    return value


def _parse_env(raw: str, annotation: Any) -> Any:
    if annotation is str or annotation == "str":
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw
