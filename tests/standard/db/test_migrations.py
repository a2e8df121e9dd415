"""MigrationManager on real databases: create, upgrade, downgrade and status round-trips."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.migrations import MigrationManager
from framework_m_standard.adapters.db.runtime import DatabaseRuntime


def note_v1() -> type[BaseDocType]:
    class Note(BaseDocType):
        title: str

    return Note


def note_v2() -> type[BaseDocType]:
    class Note(BaseDocType):
        title: str
        amount: Decimal | None = None
        due: datetime | None = None

    return Note


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, project_root=str(tmp_path))


@pytest.fixture
async def runtimes(settings: Settings) -> AsyncIterator[list[DatabaseRuntime]]:
    """Runtimes the test builds, disposed at the end."""
    built: list[DatabaseRuntime] = []
    yield built
    for runtime in built:
        await runtime.dispose()


def manager_for(
    settings: Settings, runtimes: list[DatabaseRuntime], doctype: type[BaseDocType]
) -> MigrationManager:
    registry = MetaRegistry()
    registry.register_doctype(doctype)
    runtime = DatabaseRuntime.build(settings, registry)
    runtimes.append(runtime)
    return MigrationManager(settings, runtime)


async def columns(manager: MigrationManager, table: str) -> set[str]:
    engine = manager.runtime.connections.get_engine()
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: {col["name"] for col in inspect(c).get_columns(table)})


async def table_names(manager: MigrationManager) -> set[str]:
    engine = manager.runtime.connections.get_engine()
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def scalar(manager: MigrationManager, sql: str) -> object:
    async with manager.runtime.connections.get_engine().connect() as conn:
        return (await conn.execute(text(sql))).scalar_one()


async def test_create_upgrade_add_field_and_downgrade(
    settings: Settings, runtimes: list[DatabaseRuntime]
) -> None:
    v1 = manager_for(settings, runtimes, note_v1())
    assert v1.versions_dir == Path(settings.project_root) / "migrations" / "versions"
    assert v1.versions_dir.is_dir()

    status = await v1.status()
    assert status.current is None
    assert status.head is None
    assert status.pending == []
    assert "add table note" in status.model_changes

    first = await v1.create("initial")
    assert first is not None
    status = await v1.status()
    assert [r.revision for r in status.pending] == [first]
    assert status.head == first
    assert not status.up_to_date

    applied = await v1.upgrade()
    assert [r.revision for r in applied] == [first]
    assert {"note", "framework_outbox", "framework_naming_counter"} <= await table_names(v1)
    status = await v1.status()
    assert status.current == first
    assert status.pending == []
    assert status.model_changes == []
    assert status.up_to_date
    assert await v1.create("nothing changed") is None

    engine = v1.runtime.connections.get_engine()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO note (id, name, title, creation, modified, _version) "
                "VALUES (:id, 'N-1', 'kept', :now, :now, 0)"
            ),
            {
                "id": "0" * 32
                if conn.dialect.name == "sqlite"
                else "00000000-0000-0000-0000-000000000000",
                "now": datetime.now(UTC).replace(tzinfo=None)
                if conn.dialect.name == "sqlite"
                else datetime.now(UTC),
            },
        )

    v2 = manager_for(settings, runtimes, note_v2())
    changes = await v2.pending_model_changes()
    assert sorted(changes) == ["add column note.amount", "add column note.due"]
    second = await v2.create("amount and due")
    assert second is not None
    source = v2.revision_info(second).path.read_text()
    assert "fm_types.ExactDecimal(precision=18, scale=6)" in source
    assert "fm_types.UtcDateTime()" in source
    assert "from framework_m_standard.adapters.db import types as fm_types" in source

    applied = await v2.upgrade()
    assert [r.revision for r in applied] == [second]
    assert {"amount", "due"} <= await columns(v2, "note")
    assert await scalar(v2, "SELECT title FROM note") == "kept"
    assert (await v2.status()).up_to_date

    # The new columns store what they should after the migration.
    async with v2.runtime.connections.get_engine().begin() as conn:
        await conn.execute(text("UPDATE note SET amount = 12.5"))
    assert Decimal(str(await scalar(v2, "SELECT amount FROM note"))) == Decimal("12.5")

    reverted = await v2.downgrade()
    assert [r.revision for r in reverted] == [second]
    assert not {"amount", "due"} & await columns(v2, "note")
    assert await scalar(v2, "SELECT count(*) FROM note") == 1
    assert await scalar(v2, "SELECT title FROM note") == "kept"

    status = await v2.status()
    assert status.current == first
    assert [r.revision for r in status.pending] == [second]
    assert sorted(status.model_changes) == ["add column note.amount", "add column note.due"]
    # The old models match the database again.
    assert (await v1.status()).model_changes == []


async def test_migrate_creates_initial_revision_then_only_changes(
    settings: Settings, runtimes: list[DatabaseRuntime]
) -> None:
    v1 = manager_for(settings, runtimes, note_v1())
    result = await v1.migrate()
    assert result.created is not None
    assert result.created.message == "initial"
    assert [r.revision for r in result.applied] == [result.created.revision]
    assert "note" in await table_names(v1)

    again = await v1.migrate()
    assert not again.changed

    v2 = manager_for(settings, runtimes, note_v2())
    result = await v2.migrate()
    assert result.created is not None
    assert "amount" in await columns(v2, "note")
    assert (await v2.status()).up_to_date

    # After a rollback, migrate re-applies the existing revision instead of writing a new one.
    await v2.downgrade()
    result = await v2.migrate()
    assert result.created is None
    assert len(result.applied) == 1
    assert len(list(v2.versions_dir.glob("*.py"))) == 2


async def test_unrelated_tables_are_never_touched(
    settings: Settings, runtimes: list[DatabaseRuntime]
) -> None:
    v1 = manager_for(settings, runtimes, note_v1())
    async with v1.runtime.connections.get_engine().begin() as conn:
        await conn.execute(text("CREATE TABLE legacy_stuff (id INTEGER PRIMARY KEY)"))
    await v1.migrate()
    assert "legacy_stuff" in await table_names(v1)
    assert (await v1.status()).model_changes == []


async def test_schema_synced_database_gets_only_the_difference(
    settings: Settings, runtimes: list[DatabaseRuntime]
) -> None:
    v1 = manager_for(settings, runtimes, note_v1())
    await v1.runtime.sync_schema()
    assert (await v1.pending_model_changes()) == []
    result = await v1.migrate()
    assert result.created is None

    v2 = manager_for(settings, runtimes, note_v2())
    result = await v2.migrate()
    assert result.created is not None
    source = result.created.path.read_text()
    assert "create_table" not in source
    assert "add_column" in source
    assert "amount" in await columns(v2, "note")
    assert (await v2.status()).up_to_date


async def test_unversioned_database_is_adopted_when_revisions_exist(
    settings: Settings, runtimes: list[DatabaseRuntime], tmp_path: Path
) -> None:
    # A project with history, pointed at a database that schema sync created.
    v1 = manager_for(settings, runtimes, note_v1())
    first = await v1.create("initial")
    assert first is not None
    await v1.runtime.sync_schema()

    result = await v1.migrate()
    assert result.adopted == first
    assert result.applied == []
    assert result.created is None
    status = await v1.status()
    assert status.current == first
    assert status.up_to_date
