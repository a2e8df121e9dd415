"""``m config:show`` and ``m config:set KEY VALUE``.

``config:show`` prints the effective settings (``framework_config.toml`` found in the working
directory or a parent, then the environment, then defaults) as TOML, secrets masked.
``config:set`` changes one value in that file (or creates it in the working directory): the
key is checked against the settings, the value is typed as TOML, comments and other keys
stay as they were, and the file is only written if the result is valid settings.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Annotated, Any

import cyclopts
from pydantic import BaseModel

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.settings import CONFIG_FILE, Settings, find_config_file, load_settings
from framework_m_standard.cli.output import print_lines
from framework_m_standard.cli.toml_edit import (
    TomlEditError,
    format_key,
    format_value,
    parse_key,
    parse_value,
    set_value,
)
from framework_m_standard.cli.user_errors import fail, one_line, settings_or_fail

MASK = "********"
_SECRET_NAME = re.compile(
    r"secret|password|passwd|(^|_)(token|credentials?|private_key|api_key)$", re.IGNORECASE
)
"""Names of secret values: ``secret_key``, ``shared_secret``, ``api_token``; not
``access_token_ttl`` or ``api_key_prefix``."""
_URL_PASSWORD = re.compile(r"(?P<head>://[^:/@\s]*:)[^@\s]+@")
_ENV_NAMES = ("DATABASE_URL", "REDIS_URL")


def register(app: cyclopts.App) -> None:
    app.command(config_show, name="config:show")
    app.command(config_set, name="config:set")


def config_show(
    *, as_json: Annotated[bool, cyclopts.Parameter(["--json"], negative=())] = False
) -> None:
    """Show the effective settings (file, then environment, then defaults), secrets masked.

    Parameters
    ----------
    as_json
        Print JSON instead of TOML.
    """
    settings = settings_or_fail()
    if as_json:
        print_lines([json.dumps(masked(settings.model_dump(mode="json")), indent=2)])
        return
    path = find_config_file()
    source = str(path) if path is not None else f"no {CONFIG_FILE} found: defaults"
    print_lines(
        [
            f"# Effective settings: {source}, overridden by the environment. Secrets masked.",
            *settings_toml(settings),
        ]
    )


def config_set(key: str, value: str) -> None:
    """Set one setting in framework_config.toml (dotted keys for sections).

    Parameters
    ----------
    key
        The setting, e.g. ``database_url`` or ``auth.access_token_ttl``.
    value
        The value, typed as TOML: ``8000``, ``true``, ``'["a", "b"]'``; anything else is text.
    """
    try:
        parts = parse_key(key)
    except TomlEditError as exc:
        fail(str(exc))
    check_setting(parts[1:] if parts[0] == "framework" else parts)
    path = find_config_file() or Path.cwd() / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        fail(f"cannot read {path}: {one_line(exc)}")
    # Settings live at the top level or under [framework]; a file that uses [framework]
    # gets new keys there.
    if parts[0] != "framework" and parts[0] not in data and isinstance(data.get("framework"), dict):
        parts = ("framework", *parts)
    typed = parse_value(value)
    try:
        new_text = set_value(text, parts, typed)
    except TomlEditError as exc:
        fail(f"cannot set {key} in {path}: {exc}")
    _check_settings(new_text, path)
    _write(path, new_text)
    shown = MASK if _is_secret(parts[-1]) else format_value(typed)
    print(f"{format_key(parts)} = {shown}  ({path})")


def check_setting(parts: tuple[str, ...]) -> None:
    """Fail unless ``parts`` names a setting (or an entry of a free-form table)."""
    if not parts:
        fail("framework is a section; set one of its keys")
    model: type[BaseModel] = Settings
    for index, part in enumerate(parts):
        fields = model.model_fields
        if part not in fields:
            hint = difflib.get_close_matches(part, list(fields), n=1)
            suggestion = f" (did you mean {'.'.join([*parts[:index], hint[0]])}?)" if hint else ""
            fail(f"unknown setting {'.'.join(parts[: index + 1])!r}{suggestion}")
        annotation = fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
            if index == len(parts) - 1:
                fail(f"{'.'.join(parts)} is a section; set one of its keys")
            continue
        if index < len(parts) - 1 and not _is_mapping(annotation):
            fail(f"{'.'.join(parts[: index + 1])} is a value, not a section")
        return


def _is_mapping(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is dict


def _check_settings(text: str, path: Path) -> None:
    """The settings the edited file would give (the environment's overrides left out)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FRAMEWORK_M_") and k not in _ENV_NAMES
    }
    with tempfile.TemporaryDirectory() as directory:
        draft = Path(directory) / CONFIG_FILE
        draft.write_text(text, encoding="utf-8")
        try:
            load_settings(config_file=draft, env=env)
        except ConfigurationError as exc:
            message = one_line(exc).replace(str(draft), str(path))
            fail(f"not written, {path.name} would be invalid: {message}")


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, keeping its permissions."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    descriptor, draft = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        if mode is not None:
            os.chmod(draft, mode)
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


def _is_secret(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def masked(value: Any, name: str = "", *, inside_headers: bool = False) -> Any:
    """``value`` with secrets replaced: secret-named keys, header values, URL passwords."""
    if isinstance(value, dict):
        return {k: masked(v, str(k), inside_headers=name == "headers") for k, v in value.items()}
    if isinstance(value, list):
        return [masked(item, name) for item in value]
    if value is not None and (inside_headers or _is_secret(name)):
        return MASK
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\g<head>{MASK}@", value)
    return value


def settings_toml(settings: BaseModel) -> list[str]:
    """The settings as TOML lines: values first, then one table per section."""
    return _table_lines(masked(settings.model_dump(mode="json")), type(settings), ())


def _table_lines(
    values: dict[str, Any], model: type[BaseModel], path: tuple[str, ...]
) -> list[str]:
    lines: list[str] = []
    sections: list[tuple[str, type[BaseModel]]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            sections.append((name, annotation))
        elif values.get(name) is None:
            lines.append(f"# {format_key((name,))} is not set")
        else:
            lines.append(f"{format_key((name,))} = {format_value(values[name])}")
    for name, section in sections:
        lines += ["", f"[{format_key((*path, name))}]"]
        lines += _table_lines(values[name], section, (*path, name))
    return lines


__all__ = ["check_setting", "config_set", "config_show", "masked", "register", "settings_toml"]
