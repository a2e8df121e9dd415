"""The default bootstrap sequence found through the installed entry points."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from framework_m_core.bootstrap import Bootstrap, discover_steps
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.repository_factory import SqlAlchemyRepositoryFactory
from framework_m_standard.adapters.db.schema_mapper import SqlAlchemySchemaMapper
from framework_m_standard.adapters.db.unit_of_work import SqlAlchemyUnitOfWorkFactory
from framework_m_standard.adapters.events.memory import InMemoryEventBus


def test_default_steps_are_discovered_in_order() -> None:
    steps = discover_steps(Settings())
    assert [(s.name, s.order) for s in steps][:4] == [
        ("init_engine", 10),
        ("init_registries", 20),
        ("sync_schema", 30),
        ("init_adapters", 40),
    ]


async def test_bootstrap_binds_working_adapters(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "boot_app.py").write_text(
        textwrap.dedent(
            """
            from framework_m_core.domain.base_doctype import BaseDocType

            class BootNote(BaseDocType):
                body: str
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    settings = Settings(database_url=database_url, apps=["boot_app"])
    try:
        async with Bootstrap(settings) as ctx:
            uow_factory = ctx.container.unit_of_work_factory()
            repositories = ctx.container.repository_factory()
            assert isinstance(uow_factory, SqlAlchemyUnitOfWorkFactory)
            assert isinstance(repositories, SqlAlchemyRepositoryFactory)
            assert isinstance(ctx.container.event_bus(), InMemoryEventBus)
            note_type = ctx.container.meta_registry().get_doctype("BootNote")
            async with uow_factory() as uow:
                saved = await repositories.get(note_type).save(
                    uow.session, note_type.model_validate({"body": "hi"})
                )
                await uow.commit()
            async with uow_factory() as uow:
                loaded = await repositories.get(note_type).get(uow.session, saved.id)
            assert loaded is not None
            assert loaded.body == "hi"  # type: ignore[attr-defined]
            assert "connections" in ctx.state
        assert "connections" not in ctx.state  # shut down: engines disposed
    finally:
        sys.modules.pop("boot_app", None)


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        ("repository", SqlAlchemyRepositoryFactory),
        ("unit_of_work", SqlAlchemyUnitOfWorkFactory),
        ("schema_mapper", SqlAlchemySchemaMapper),
    ],
)
# The event bus has two standard entry points (memory, nats), chosen by init_events:
# tests/standard/events/test_bus_selection.py.
def test_standard_adapters_are_advertised_as_entry_points(port: str, expected: type) -> None:
    from framework_m_core.container import adapter_entry_points, resolve_adapter

    assert [ep.load() for ep in adapter_entry_points(port)] == [expected]
    assert resolve_adapter(port, Settings(), default=None) is expected
