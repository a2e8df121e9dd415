"""Acceptance: ``m migrate`` and friends, run as real subprocesses on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = pytest.mark.slow

M = Path(sys.executable).with_name("m")

NOTES_V1 = """
from framework_m_core.domain.base_doctype import BaseDocType


class Note(BaseDocType):
    title: str
"""

NOTES_V2 = NOTES_V1 + "    priority: int | None = None\n"


def m(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRAMEWORK_M_")}
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(project)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # notes_app.py is rewritten within the same second
    return subprocess.run(
        [str(M), *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def ok(project: Path, *args: str) -> str:
    result = m(project, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def write_project(project: Path, database_url: str, source: str) -> None:
    (project / "framework_config.toml").write_text(
        f'apps = ["notes_app"]\ndatabase_url = "{database_url}"\n'
    )
    (project / "notes_app.py").write_text(textwrap.dedent(source))


async def note_columns(database_url: str) -> tuple[set[str], list[str]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("note")}
            )
            titles = (await conn.execute(text("SELECT title FROM note ORDER BY name"))).scalars()
            return columns, list(titles)
    finally:
        await engine.dispose()


async def insert_notes(database_url: str, count: int) -> None:
    engine = create_async_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        async with engine.begin() as conn:
            for i in range(count):
                await conn.execute(
                    text(
                        "INSERT INTO note (id, name, title, creation, modified, _version) "
                        "VALUES (:id, :name, :title, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
                    ),
                    {
                        "id": f"{i:032x}" if sqlite else f"00000000-0000-0000-0000-{i:012x}",
                        "name": f"N-{i}",
                        "title": f"note {i}",
                    },
                )
    finally:
        await engine.dispose()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    assert M.is_file(), f"the m console script is not installed next to {sys.executable}"
    path = tmp_path / "project"
    path.mkdir()
    return path


async def test_migrate_add_field_status_and_rollback(database_url: str, project: Path) -> None:
    write_project(project, database_url, NOTES_V1)

    out = ok(project, "migrate")
    assert "Created revision" in out
    assert "Applied" in out
    columns, _ = await note_columns(database_url)
    assert {"id", "name", "title"} <= columns
    assert "priority" not in columns
    assert len(list((project / "migrations" / "versions").glob("*.py"))) == 1

    await insert_notes(database_url, 3)

    write_project(project, database_url, NOTES_V2)
    status = ok(project, "migrate:status")
    assert "add column note.priority" in status
    assert "up to date" not in status.lower()

    out = ok(project, "migrate")
    assert "add column note.priority" in out
    columns, titles = await note_columns(database_url)
    assert "priority" in columns
    assert titles == ["note 0", "note 1", "note 2"]

    status = ok(project, "migrate:status")
    assert "Database is up to date." in status
    assert "Pending revisions: none" in status
    assert "up to date" in ok(project, "migrate").lower()

    out = ok(project, "migrate:rollback")
    assert "Reverted" in out
    columns, titles = await note_columns(database_url)
    assert "priority" not in columns
    assert titles == ["note 0", "note 1", "note 2"]

    # The reverted revision is pending again; the DocType still has the field.
    status = ok(project, "migrate:status")
    assert "Pending revisions:\n" in status
    assert "add column note.priority" in status


async def test_migrate_create_writes_without_applying(database_url: str, project: Path) -> None:
    write_project(project, database_url, NOTES_V1)
    out = ok(project, "migrate:create", "first notes")
    assert "Created revision" in out
    assert "first_notes" in out
    status = ok(project, "migrate:status")
    assert "Current revision: (none)" in status
    assert "Pending revisions:\n" in status

    ok(project, "migrate")
    assert "No DocType changes" in ok(project, "migrate:create", "nothing")
    assert "Created revision" in ok(project, "migrate:create", "by hand", "--empty")
    versions = list((project / "migrations" / "versions").glob("*.py"))
    assert len(versions) == 2


def test_unreachable_database_is_one_line_error(project: Path) -> None:
    write_project(project, "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere", NOTES_V1)
    result = m(project, "migrate")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("m: error: cannot use the database postgresql+asyncpg://")


def test_alembic_error_is_one_line(project: Path, tmp_path: Path) -> None:
    write_project(project, f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", NOTES_V1)
    ok(project, "migrate:create", "one")
    # Autogenerating on top of an unapplied revision is refused by Alembic.
    result = m(project, "migrate:create", "two")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["m: error: Target database is not up to date."]
