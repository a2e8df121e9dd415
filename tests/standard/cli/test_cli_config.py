"""``m config:show`` and ``m config:set`` on a real framework_config.toml, as subprocesses."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from cli_support import m, ok

pytestmark = pytest.mark.slow

SECRET = "s" * 40

CONFIG = f"""\
# Production-like site
environment = "development"  # until launch
database_url = "postgresql+asyncpg://app:db-password@db.internal/site"
redis_url = "redis://:redis-password@cache:6379/0"

[auth]
secret_key = "{SECRET}"
access_token_ttl = 900

[permissions.policy]
url = "http://opa:8181/v1/data/allow"
headers = {{Authorization = "Bearer opa-token"}}
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "framework_config.toml").write_text(CONFIG)
    (tmp_path / "deep" / "er").mkdir(parents=True)
    return tmp_path


def test_show_prints_effective_settings_with_secrets_masked(site: Path) -> None:
    out = ok(site / "deep" / "er", "config:show")  # found in a parent directory
    assert f"# Effective settings: {site / 'framework_config.toml'}" in out
    assert 'database_url = "postgresql+asyncpg://app:********@db.internal/site"' in out
    assert 'redis_url = "redis://:********@cache:6379/0"' in out
    assert "access_token_ttl = 900\n" in out
    assert 'secret_key = "********"' in out
    assert 'headers = {Authorization = "********"}' in out
    for secret in (SECRET, "db-password", "redis-password", "opa-token"):
        assert secret not in out
    assert "[permissions.policy]" in out
    assert "# jwt_audience is not set" in out
    # What it prints is TOML that reads back to the same (masked) values.
    shown = tomllib.loads(out)
    assert shown["auth"]["access_token_ttl"] == 900
    assert shown["http"]["max_page_size"] == 1000


def test_show_includes_the_environment(site: Path) -> None:
    env = {"DATABASE_URL": "sqlite+aiosqlite:///env.db", "FRAMEWORK_M_AUTH__JWT_ISSUER": "env"}
    data = json.loads(ok(site, "config:show", "--json", env=env))
    assert data["database_url"] == "sqlite+aiosqlite:///env.db"
    assert data["auth"]["jwt_issuer"] == "env"
    assert data["auth"]["secret_key"] == "********"


def test_show_reports_a_broken_file_on_one_line(tmp_path: Path) -> None:
    (tmp_path / "framework_config.toml").write_text("database_url = \n")
    result = m(tmp_path, "config:show")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("m: error: Cannot read ")


def test_set_changes_one_value_and_keeps_the_rest(site: Path) -> None:
    out = ok(site / "deep", "config:set", "auth.access_token_ttl", "1800")
    assert out.strip() == f"auth.access_token_ttl = 1800  ({site / 'framework_config.toml'})"
    text = (site / "framework_config.toml").read_text()
    assert text == CONFIG.replace("access_token_ttl = 900", "access_token_ttl = 1800")
    assert json.loads(ok(site, "config:show", "--json"))["auth"]["access_token_ttl"] == 1800


def test_set_types_values_and_adds_keys_and_tables(site: Path) -> None:
    ok(site, "config:set", "db_echo", "true")
    ok(site, "config:set", "http.cors_origins", '["https://app.example"]')
    ok(site, "config:set", "environment", "test")
    ok(site, "config:set", "db_binds.reports", "sqlite+aiosqlite:///reports.db")
    text = (site / "framework_config.toml").read_text()
    assert text.startswith('# Production-like site\nenvironment = "test"  # until launch\n')
    data = tomllib.loads(text)
    assert data["db_echo"] is True
    assert data["http"] == {"cors_origins": ["https://app.example"]}
    assert data["db_binds"] == {"reports": "sqlite+aiosqlite:///reports.db"}
    assert data["auth"] == {"secret_key": SECRET, "access_token_ttl": 900}
    settings = json.loads(ok(site, "config:show", "--json"))
    assert settings["environment"] == "test"
    assert settings["db_echo"] is True


def test_set_does_not_echo_secrets(site: Path) -> None:
    out = ok(site, "config:set", "auth.secret_key", "n" * 40)
    assert out.startswith("auth.secret_key = ********")
    assert tomllib.loads((site / "framework_config.toml").read_text())["auth"]["secret_key"] == (
        "n" * 40
    )


def test_set_writes_under_framework_when_the_file_uses_it(tmp_path: Path) -> None:
    (tmp_path / "framework_config.toml").write_text('[framework]\nenvironment = "test"\n')
    ok(tmp_path, "config:set", "auth.jwt_issuer", "acme")
    data = tomllib.loads((tmp_path / "framework_config.toml").read_text())
    assert data == {"framework": {"environment": "test", "auth": {"jwt_issuer": "acme"}}}
    assert json.loads(ok(tmp_path, "config:show", "--json"))["auth"]["jwt_issuer"] == "acme"


def test_set_creates_the_file_when_there_is_none(tmp_path: Path) -> None:
    ok(tmp_path, "config:set", "database_url", "sqlite+aiosqlite:///new.db")
    assert (tmp_path / "framework_config.toml").read_text() == (
        'database_url = "sqlite+aiosqlite:///new.db"\n'
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("databse_url", "x"),
            "m: error: unknown setting 'databse_url' (did you mean database_url?)",
        ),
        (("auth.nope", "1"), "m: error: unknown setting 'auth.nope'"),
        (("auth", "1"), "m: error: auth is a section; set one of its keys"),
        (("db_echo.x", "1"), "m: error: db_echo is a value, not a section"),
        (
            ("auth.access_token_ttl", "-5"),
            "m: error: not written, framework_config.toml would be invalid: Invalid settings: "
            "1 validation error for Settings auth.access_token_ttl "
            "Input should be greater than 0",
        ),
        (
            ("environment", "staging"),
            "m: error: not written, framework_config.toml would be invalid: Invalid settings: "
            "1 validation error for Settings environment",
        ),
    ],
)
def test_set_refuses_what_would_break_the_settings(
    site: Path, args: tuple[str, str], message: str
) -> None:
    result = m(site, "config:set", *args)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(message), result.stderr
    assert (site / "framework_config.toml").read_text() == CONFIG
