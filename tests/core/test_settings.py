"""Settings: framework_config.toml found upwards, environment overrides, ${VAR} expansion."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.settings import load_settings


def test_defaults_without_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.schema_sync_enabled is True
    assert settings.apps is None


def test_file_in_a_parent_env_overrides_and_expansion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "framework_config.toml").write_text(
        '[framework]\ndatabase_url = "postgresql+asyncpg://${PGUSER:-postgres}@db/site"\n'
        'apps = ["crm"]\nenvironment = "production"\n[framework.db_binds]\nlegacy = "sqlite+aiosqlite:///${LEGACY}"\n'
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    settings = load_settings(env={"LEGACY": "/data/old.db"})
    assert settings.database_url == "postgresql+asyncpg://postgres@db/site"
    assert settings.db_binds == {"legacy": "sqlite+aiosqlite:////data/old.db"}
    assert settings.apps == ["crm"]
    assert settings.project_root == str(tmp_path)
    assert settings.schema_sync_enabled is False  # production never changes the schema at startup
    assert settings.bind_urls()["default"] == settings.database_url

    env = {"DATABASE_URL": "sqlite+aiosqlite:///x.db", "FRAMEWORK_M_APPS": '["a", "b"]'}
    overridden = load_settings(env=env)
    assert overridden.database_url == "sqlite+aiosqlite:///x.db"
    assert overridden.apps == ["a", "b"]
    assert load_settings(
        env={**env, "FRAMEWORK_M_DATABASE_URL": "sqlite+aiosqlite:///y.db"}
    ).database_url.endswith("y.db")


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "framework_config.toml"
    bad.write_text("database_url = [unclosed")
    with pytest.raises(ConfigurationError):
        load_settings(config_file=bad, env={})
    bad.write_text('environment = "staging"')
    with pytest.raises(ConfigurationError):
        load_settings(config_file=bad, env={})


def test_sections_come_from_toml_and_nested_env(tmp_path: Path) -> None:
    config = tmp_path / "framework_config.toml"
    config.write_text(
        '[auth]\nchain = ["gateway", "jwt"]\nlogin_attempts = 3\n'
        '[tenancy]\nmode = "multi"\n[http]\ncors_origins = ["https://app.example.com"]\n'
    )
    settings = load_settings(
        config_file=config,
        env={
            "FRAMEWORK_M_AUTH__SECRET_KEY": "1234567890",
            "FRAMEWORK_M_AUTH__LOGIN_WINDOW": "30",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert settings.auth.chain == ["gateway", "jwt"]
    assert settings.auth.login_attempts == 3
    assert settings.auth.secret_key == "1234567890"  # a str setting stays a str
    assert settings.auth.login_window == 30
    assert settings.tenancy.mode == "multi"
    assert settings.http.cors_origins == ["https://app.example.com"]
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


def test_cookies_are_secure_outside_development() -> None:
    assert not load_settings(env={}, overrides={"environment": "development"}).cookies_secure
    assert load_settings(env={}, overrides={"environment": "production"}).cookies_secure
    forced = load_settings(env={}, overrides={"auth": {"cookie_secure": True}})
    assert forced.cookies_secure


def test_unknown_section_options_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        load_settings(env={"FRAMEWORK_M_AUTH__NO_SUCH_OPTION": "1"})
