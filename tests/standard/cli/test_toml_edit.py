"""Targeted TOML edits: one value changes, every other byte stays."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from framework_m_standard.cli.toml_edit import (
    TomlEditError,
    format_value,
    parse_key,
    parse_value,
    set_value,
)

DOC = """\
# Site settings
environment = "development"  # for now
database_url = "sqlite+aiosqlite:///site.db"

[auth]
# the signing key
secret_key = "k#not-a-comment"
chain = [
    "jwt",  # first
    "session",
]

[http]
max_page_size = 100

[[servers]]
name = "a"
"""


def test_replaces_a_value_and_keeps_its_comment() -> None:
    out = set_value(DOC, ("environment",), "production")
    assert out == DOC.replace('"development"  # for now', '"production"  # for now')


def test_a_hash_inside_a_string_is_not_a_comment() -> None:
    out = set_value(DOC, ("auth", "secret_key"), "new")
    assert 'secret_key = "new"\n' in out
    assert "k#not-a-comment" not in out
    assert out.replace('secret_key = "new"', 'secret_key = "k#not-a-comment"') == DOC


def test_replaces_a_multi_line_value() -> None:
    out = set_value(DOC, ("auth", "chain"), ["basic"])
    assert tomllib.loads(out)["auth"]["chain"] == ["basic"]
    assert '    "jwt",  # first' not in out
    assert "# the signing key" in out


def test_new_key_goes_at_the_end_of_its_table() -> None:
    out = set_value(DOC, ("auth", "jwt_issuer"), "me")
    assert '    "session",\n]\njwt_issuer = "me"\n\n[http]' in out


def test_new_top_level_key_goes_after_the_top_level_values() -> None:
    out = set_value(DOC, ("db_echo",), True)
    assert 'database_url = "sqlite+aiosqlite:///site.db"\ndb_echo = true\n\n[auth]' in out


def test_new_table_is_appended() -> None:
    out = set_value(DOC, ("permissions", "policy", "url"), "http://opa")
    assert out.startswith(DOC)
    assert out.endswith('\n[permissions.policy]\nurl = "http://opa"\n')


def test_every_other_value_is_unchanged() -> None:
    out = set_value(DOC, ("http", "max_page_size"), 50)
    expected = tomllib.loads(DOC)
    expected["http"]["max_page_size"] = 50
    assert tomllib.loads(out) == expected
    assert out == DOC.replace("max_page_size = 100", "max_page_size = 50")


def test_dotted_keys_and_quoted_keys_are_found() -> None:
    doc = 'auth.secret_key = "a"\n"db_binds".reports = "x"\n'
    assert set_value(doc, ("auth", "secret_key"), "b") == (
        'auth.secret_key = "b"\n"db_binds".reports = "x"\n'
    )
    assert set_value(doc, ("db_binds", "reports"), "y") == (
        'auth.secret_key = "a"\ndb_binds.reports = "y"\n'
    )


def test_empty_document() -> None:
    assert set_value("", ("port",), 8000) == "port = 8000\n"
    assert set_value("", ("auth", "jwt_issuer"), "x") == '[auth]\njwt_issuer = "x"\n'


def test_crlf_documents_stay_crlf() -> None:
    out = set_value("a = 1\r\nb = 2\r\n", ("b",), 3)
    assert out == "a = 1\r\nb = 3\r\n"


def test_refuses_to_write_into_a_value() -> None:
    with pytest.raises(TomlEditError, match="environment is a value, not a table"):
        set_value(DOC, ("environment", "x"), 1)


def test_refuses_what_it_cannot_place_safely() -> None:
    # [servers] is an array of tables: a plain [servers] table cannot be added.
    with pytest.raises(TomlEditError):
        set_value(DOC, ("servers", "name"), "b")


def test_refuses_an_invalid_document() -> None:
    with pytest.raises(TomlEditError, match="not valid TOML"):
        set_value("a = ", ("a",), 1)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("8000", 8000),
        ("2.5", 2.5),
        ("true", True),
        ("false", False),
        ('["a", "b"]', ["a", "b"]),
        ("{x = 1}", {"x": 1}),
        ('"quoted"', "quoted"),
        ("plain text", "plain text"),
        ("postgresql+asyncpg://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("2024-01-01", "2024-01-01"),
    ],
)
def test_values_are_typed_as_toml(raw: str, value: Any) -> None:
    assert parse_value(raw) == value
    assert type(parse_value(raw)) is type(value)


@pytest.mark.parametrize(
    "value",
    ['tab\there "quoted" back\\slash é \x01', 7, -1.5, True, ["a", 1], {"k": "v", "a b": [1]}],
)
def test_formatted_values_read_back(value: Any) -> None:
    assert tomllib.loads(f"v = {format_value(value)}")["v"] == value


def test_keys() -> None:
    assert parse_key('auth."odd.key".x') == ("auth", "odd.key", "x")
    with pytest.raises(TomlEditError):
        parse_key("two words")
