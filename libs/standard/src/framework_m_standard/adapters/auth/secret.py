"""The key that signs JWTs: configured in production, generated once per project in development."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.settings import Settings

SECRET_KEY_FILE = ".framework_m/secret_key"
"""Where development keeps its generated key, relative to the project root."""

# RFC 7518 §3.2: an HMAC key at least as long as the hash output.
MIN_KEY_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}


def resolve_secret_key(settings: Settings) -> str:
    """``auth.secret_key`` if set; in development and test a generated key kept in the project."""
    algorithm = settings.auth.jwt_algorithm
    minimum = MIN_KEY_BYTES[algorithm]
    configured = settings.auth.secret_key
    if configured is not None:
        if len(configured.encode()) < minimum:
            raise ConfigurationError(
                f"auth.secret_key must be at least {minimum} bytes long for {algorithm}",
                setting="auth.secret_key",
            )
        return configured
    if not settings.is_development:
        raise ConfigurationError(
            "auth.secret_key is required in production: set FRAMEWORK_M_AUTH__SECRET_KEY "
            "to a random string, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'",
            setting="auth.secret_key",
        )
    return _project_key(settings.path(SECRET_KEY_FILE), minimum)


def _project_key(path: Path, minimum: int) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            # The generated key must never end up in version control.
            ignore.write_text("*\n", encoding="utf-8")
        # Written aside and linked into place: a reader never sees a half-written key, and
        # when two processes race, both end up with the one that was linked first.
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(64))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text(encoding="utf-8").strip()
    if len(key.encode()) < minimum:
        raise ConfigurationError(
            f"{path} holds a key shorter than {minimum} bytes; delete it to generate a new one",
            path=str(path),
        )
    return key
