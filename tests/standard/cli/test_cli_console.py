"""``m console``: statements piped into a real subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import m, write_app_checkout

pytestmark = pytest.mark.slow

SESSION = """\
product = await documents.create(system, Product, {"title": "Lamp", "price": 12})
print("created", product.name, product.price)
async def total():
    page = await documents.list(system, Product)
    return sum(p.price for p in page.items)

chair = await documents.create(system, Product, {"title": "Chair", "price": 30})
print("total", await total())
print("db", settings.database_url == DATABASE_URL)
print("user", type(User).__name__, User.get_doctype_name())
print("services", sorted(k for k in ("registry", "documents", "sharing", "auth", "rpc") if k in globals()))
"""


def test_statements_run_with_the_site_loaded(tmp_path: Path, database_url: str) -> None:
    root = write_app_checkout(tmp_path / "shop")
    session = f"DATABASE_URL = {json.dumps(database_url)}\n" + SESSION
    result = m(root, "console", env={"DATABASE_URL": database_url}, stdin=session)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("created ")
    assert lines[0].endswith(" 12")
    assert lines[1:] == [
        "total 42",
        "db True",
        "user ModelMetaclass User",
        "services ['auth', 'documents', 'registry', 'rpc', 'sharing']",
    ]
    assert result.stderr == ""

    # The documents are in the site's database: a second session sees them.
    again = m(
        root,
        "console",
        env={"DATABASE_URL": database_url},
        stdin="print((await documents.list(system, Product)).total)\n",
    )
    assert again.stdout == "2\n", again.stderr


def test_a_failing_statement_is_reported_and_the_session_goes_on(tmp_path: Path) -> None:
    result = m(tmp_path, "console", stdin="1/0\nprint('after')\nx = 3\nx * 2\n")
    assert result.returncode == 1  # piped: a script that raised fails
    assert result.stdout == "after\n6\n"
    assert "ZeroDivisionError: division by zero" in result.stderr


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = m(
        tmp_path,
        "console",
        env={"DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere"},
        stdin="print(1)\n",
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("m: error: cannot start the site: Bootstrap step ")
