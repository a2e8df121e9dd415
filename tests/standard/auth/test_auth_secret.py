"""resolve_secret_key: configured key, generated development key kept once, production refusal."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.settings import AuthSettings, Settings
from framework_m_standard.adapters.auth.secret import SECRET_KEY_FILE, resolve_secret_key


def _settings(tmp_path: Path, environment: str = "development", **auth: object) -> Settings:
    return Settings.model_validate(
        {"environment": environment, "project_root": str(tmp_path), "auth": auth}
    )


def test_configured_key_is_used_as_is(tmp_path: Path) -> None:
    key = "k" * 40
    assert resolve_secret_key(_settings(tmp_path, "production", secret_key=key)) == key
    assert not (tmp_path / SECRET_KEY_FILE).exists()


@pytest.mark.parametrize(("algorithm", "minimum"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_configured_key_shorter_than_the_algorithm_needs_is_refused(
    tmp_path: Path, algorithm: str, minimum: int
) -> None:
    ok = _settings(tmp_path, secret_key="k" * minimum, jwt_algorithm=algorithm)
    assert resolve_secret_key(ok) == "k" * minimum
    short = _settings(tmp_path, secret_key="k" * (minimum - 1), jwt_algorithm=algorithm)
    with pytest.raises(ConfigurationError, match=f"at least {minimum} bytes"):
        resolve_secret_key(short)


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_key_is_generated_once_private_and_reused(
    tmp_path: Path, environment: str
) -> None:
    settings = _settings(tmp_path, environment)
    first = resolve_secret_key(settings)
    path = tmp_path / SECRET_KEY_FILE
    assert path.read_text(encoding="utf-8") == first
    assert len(first) >= 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (path.parent / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert resolve_secret_key(settings) == first
    assert resolve_secret_key(_settings(tmp_path, environment)) == first
    # The key was written aside and linked into place; nothing else is left behind.
    assert {p.name for p in path.parent.iterdir()} == {".gitignore", "secret_key"}


def test_other_projects_get_other_keys(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert resolve_secret_key(_settings(one)) != resolve_secret_key(_settings(two))


def test_an_existing_key_file_is_read_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / SECRET_KEY_FILE
    path.parent.mkdir()
    path.write_text("p" * 70 + "\n", encoding="utf-8")
    assert resolve_secret_key(_settings(tmp_path)) == "p" * 70


def test_a_truncated_key_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / SECRET_KEY_FILE
    path.parent.mkdir()
    path.write_text("short", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="delete it"):
        resolve_secret_key(_settings(tmp_path))


def test_production_without_a_key_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="required in production") as info:
        resolve_secret_key(_settings(tmp_path, "production"))
    assert "FRAMEWORK_M_AUTH__SECRET_KEY" in info.value.message
    assert not (tmp_path / ".framework_m").exists()


def test_auth_settings_default_has_no_key() -> None:
    assert AuthSettings().secret_key is None
