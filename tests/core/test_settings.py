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
