"""Settings: ``framework_config.toml`` (found in the working directory or a parent) + environment.

Priority: environment variables > ``framework_config.toml`` > defaults. Every setting can be
given in the environment as ``FRAMEWORK_M_<NAME>`` (sections as JSON); the database and Redis
URLs also as ``DATABASE_URL``, ``REDIS_URL`` and ``NATS_URL``.
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

    pool_size: int = Field(default=20, ge=1)
    """Connections kept open per engine (PostgreSQL); the read lane's pool holds as many."""
    max_overflow: int = Field(default=10, ge=0)
    """Extra connections opened under load beyond ``pool_size``, closed when handed back."""
    pool_timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for a free connection before the request fails."""
    pool_recycle: int = Field(default=3600, ge=-1)
    """Seconds after which a connection is replaced (-1: never)."""
    pool_pre_ping: bool = True
    """Check a connection before handing it out."""


class GatewaySettings(BaseModel):
    """Federated mode: a gateway in front of the app authenticates and passes headers."""

    model_config = ConfigDict(extra="forbid")

    user_id_header: str = "X-User-ID"
    email_header: str = "X-Email"
    name_header: str = "X-User-Name"
    roles_header: str = "X-Roles"
    """Comma-separated roles."""
    tenants_header: str = "X-Tenants"
    teams_header: str = "X-Teams"
    attributes_header: str = "X-User-Attributes"
    """A JSON object of ABAC attributes."""
    trusted_ips: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    """Clients (IPs or CIDR networks) whose gateway headers are believed; others get 401."""
    shared_secret: str | None = None
    """When set, the gateway must also send it in ``X-Gateway-Secret``."""


class AuthSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chain: list[str] = Field(default_factory=lambda: ["jwt", "api_key", "basic", "session"])
    """Strategies in the order they are asked (explicit headers before the ambient cookie);
    add ``gateway`` for federated mode."""
    secret_key: str | None = None
    """Signs JWTs. Required in production; development keeps a generated one in the project."""
    jwt_issuer: str = "framework-m"
    """``iss`` of issued tokens; tokens from another issuer are refused."""
    jwt_audience: str | None = None
    """``aud`` of issued tokens, checked when set."""
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    access_token_ttl: int = Field(default=3600, gt=0)
    """Seconds a JWT access token lives."""
    session_ttl: int = Field(default=14 * 24 * 3600, gt=0)
    """Seconds a cookie session lives."""
    session_cookie: str = "fm_session"
    csrf_cookie: str = "fm_csrf"
    """A readable cookie holding the session's CSRF token for the browser to echo."""
    csrf_header: str = "X-CSRF-Token"
    cookie_secure: bool | None = None
    """Send cookies over HTTPS only; on by default outside development and test."""
    login_attempts: int = Field(default=10, gt=0)
    """Failed logins allowed per account in ``login_window`` seconds; the next gets 429."""
    login_window: int = Field(default=60, gt=0)
    login_attempts_per_ip: int = Field(default=100, gt=0)
    """Failed logins allowed per client address in ``login_window`` (offices share addresses)."""
    api_key_prefix: str = "fmk"
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)


class PolicySettings(BaseModel):
    """An external decision service (Cedar, OPA) asked for every permission check."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    """POST endpoint answering ``{"allowed": bool, "reason", "policy_id"}``."""
    timeout: float = Field(default=2.0, gt=0)
    fallback: Literal["deny", "allow", "rbac"] = "deny"
    """What to decide when the service fails or times out."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra headers for the service (an API token, say)."""


class PermissionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adapter: Literal["rbac", "policy"] = "rbac"
    """``rbac``: Meta.permissions + CustomPermission; ``policy``: ask ``[permissions.policy]``."""
    admin_roles: list[str] = Field(default_factory=lambda: ["System Manager"])
    """Roles that may do everything when ``admin_bypass`` is on."""
    admin_bypass: bool = True
    cache_ttl: float = Field(default=5.0, ge=0)
    """Seconds CustomPermission rules are cached per process (changes here clear it at once)."""
    policy: PolicySettings = Field(default_factory=PolicySettings)


class TenancySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["single", "multi"] = "single"
    """``single``: one implicit tenant; ``multi``: every request names its tenant."""
    default_tenant: str = "default"
    header: str = "X-Tenant-ID"
    attributes_header: str = "X-Tenant-Attributes"
    """Optional JSON object of tenant attributes (plan, features) set by the gateway."""
    field: str = "tenant_id"
    """DocTypes with this field are isolated per tenant in multi-tenant mode."""


class HttpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cors_origins: list[str] = Field(default_factory=list)
    """Origins allowed to call the API from a browser; empty means same-origin only."""
    max_body_size: int = Field(default=2 * 1024 * 1024, gt=0)
    """Largest request body in bytes; larger ones get 413."""
    default_page_size: int = Field(default=20, gt=0)
    max_page_size: int = Field(default=1000, gt=0)
    """Largest ``limit`` a list accepts."""
    max_bulk_size: int = Field(default=500, gt=0)
    """Most documents one bulk update or delete may touch."""
    count_limit: int = Field(default=10_000, gt=0)
    """``/count`` counts at most this many rows and then says ``"exact": false``, so that
    counting a huge table cannot take the database down."""
    request_id_header: str = "X-Request-ID"
    openapi: bool = True
    """Serve ``/schema`` (OpenAPI JSON, Swagger UI, ReDoc)."""
    middleware: list[str] = Field(default_factory=list)
    """Extra ASGI middleware (``module:attr``), outermost first, after the built-in ones."""


class RealtimeSettings(BaseModel):
    """``WS /api/v1/stream`` and the socket backplane (NATS core subjects when ``nats_url``)."""

    model_config = ConfigDict(extra="forbid")

    subject_prefix: str = Field(default="framework_m.socket", min_length=1)
    """NATS subject prefix of ``broadcast`` / ``send_to_user`` messages between API processes."""
    ping_interval: float = Field(default=25.0, gt=0)
    """Seconds between the server's ``{"type": "ping"}`` messages to each client."""
    idle_timeout: float = Field(default=60.0, gt=0)
    """A client that sends nothing (not even a pong) for this long is closed (code 4408)."""
    max_message_size: int = Field(default=64 * 1024, gt=0)
    """Largest client message in bytes; a larger one closes the connection with 1009."""
    max_subscriptions: int = Field(default=100, gt=0)
    """Most subscriptions one connection may hold."""
    send_queue_size: int = Field(default=256, gt=0)
    """Messages waiting for one client; a client that falls further behind is closed (1013)."""
    permission_cache_ttl: float = Field(default=5.0, ge=0)
    """Seconds a subscriber's read rules (role check, row filters, hidden fields) are reused."""


class EventSettings(BaseModel):
    """The event bus (NATS JetStream when ``nats_url`` is set) and the outbox relay."""

    model_config = ConfigDict(extra="forbid")

    stream: str = "FRAMEWORK_M_EVENTS"
    """JetStream stream holding every event."""
    subject_prefix: str = "fm.events"
    """Topic ``doc.created.Invoice`` travels on subject ``<prefix>.doc.created.Invoice``."""
    max_age: float = Field(default=7 * 24 * 3600, gt=0)
    """Seconds the stream keeps an event (a durable subscriber may be down that long)."""
    duplicate_window: float = Field(default=120, gt=0)
    """Seconds within which JetStream drops a republished event id (crash recovery)."""
    ack_wait: float = Field(default=30, gt=0)
    """Seconds a durable handler has before its event is delivered again."""
    max_redeliveries: int = Field(default=5, ge=0)
    """Times a durable handler that raises gets the event again before it is dropped (logged)."""
    redelivery_delay: float = Field(default=1.0, ge=0)
    """Seconds before the first redelivery; doubles with each further one."""
    relay_enabled: bool = True
    """Run the outbox relay (publishes committed outbox rows) in this process."""
    relay_batch_size: int = Field(default=500, gt=0)
    """Outbox rows published per transaction."""
    relay_poll_interval: float = Field(default=1.0, gt=0)
    """Seconds between outbox checks when no commit in this process woke the relay."""
    relay_linger: float = Field(default=0.01, ge=0, le=1)
    """Seconds the relay waits after a commit woke it, so that the commits of that moment
    share one relay transaction instead of one each (the latency every event pays)."""
    relay_max_attempts: int = Field(default=20, gt=0)
    """Failed publishes of one row before it is marked ``failed`` and skipped."""
    relay_retention_hours: float = Field(default=24, ge=0)
    """Hours processed outbox rows are kept before the relay deletes them."""


class JobsSettings(BaseModel):
    """Background jobs: defaults for ``@job`` options, the NATS JetStream queue, the scheduler."""

    model_config = ConfigDict(extra="forbid")

    timeout: float = Field(default=300.0, gt=0)
    """Seconds a job attempt may run before it fails with a timeout."""
    retries: int = Field(default=3, ge=0)
    """Attempts after the first one for a job that raises."""
    backoff: float = Field(default=2.0, ge=0)
    """Base of the exponential backoff: failed attempt ``n`` is retried after ``backoff ** n`` s."""
    max_backoff: float = Field(default=3600.0, ge=0)
    """Longest wait between two attempts, in seconds."""
    concurrency: int = Field(default=10, gt=0)
    """Jobs one worker process (or the in-process queue) runs at the same time."""
    stream: str = "framework_m_jobs"
    """JetStream stream holding queued jobs."""
    subject: str = "framework_m.jobs"
    """Subject jobs are published on."""
    consumer: str = "framework_m_workers"
    """Durable consumer shared by every worker: each job goes to one of them."""
    ack_wait: float = Field(default=30.0, gt=0)
    """Seconds without an ack or heartbeat after which JetStream hands a job to another worker
    (a running job sends a heartbeat every third of it)."""
    scheduler: bool = True
    """Run the cron scheduler in workers (and in-process without NATS)."""
    schedule_refresh: float = Field(default=10.0, gt=0)
    """Seconds between reloads of the enabled ScheduledJob documents."""


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
    db_slow_query_ms: float = Field(default=1000.0, ge=0)
    """Log a statement that takes this long or longer (``framework_m.sql.slow``); 0: never."""
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
    redis_url: str | None = None
    """Redis for rate limits (and later caches) shared by several processes; in-process if unset."""
    nats_url: str | None = None
    """NATS with JetStream for events, jobs and realtime fan-out across processes; in-process if unset."""
    auth: AuthSettings = Field(default_factory=AuthSettings)
    permissions: PermissionSettings = Field(default_factory=PermissionSettings)
    tenancy: TenancySettings = Field(default_factory=TenancySettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    jobs: JobsSettings = Field(default_factory=JobsSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    realtime: RealtimeSettings = Field(default_factory=RealtimeSettings)

    @property
    def is_development(self) -> bool:
        return self.environment in ("development", "test")

    @property
    def cookies_secure(self) -> bool:
        """Whether cookies carry ``Secure``: configured, else on outside development and test."""
        if self.auth.cookie_secure is not None:
            return self.auth.cookie_secure
        return not self.is_development

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
    for key, raw in environ.items():
        # FRAMEWORK_M_AUTH__SECRET_KEY sets one option of a section.
        if key.startswith(ENV_PREFIX) and "__" in key:
            section, _, option = key[len(ENV_PREFIX) :].lower().partition("__")
            if section in Settings.model_fields:
                current = values.get(section)
                nested = dict(current) if isinstance(current, dict) else {}
                model = Settings.model_fields[section].annotation
                fields = getattr(model, "model_fields", {})
                nested[option] = _parse_env(
                    raw, fields[option].annotation if option in fields else None
                )
                values[section] = nested
    for plain in ("DATABASE_URL", "REDIS_URL", "NATS_URL"):
        if plain in environ and ENV_PREFIX + plain not in environ:
            values[plain.lower()] = environ[plain]
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
    if annotation in (str, "str", str | None, "str | None"):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw
