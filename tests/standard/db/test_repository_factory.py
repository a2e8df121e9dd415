"""RepositoryFactory: generic repositories per DocType, custom ones for virtual DocTypes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

from sample_doctypes import Invoice, InvoiceController

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.generic_repository import GenericRepository
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

DATA_FILE: dict[str, Path] = {}


class FileRepository:
    """Reads documents from a JSON file: a virtual DocType with no table."""

    def __init__(self, *, doctype: type[BaseDocType]) -> None:
        self.doctype = doctype

    async def get(self, session: Any, id: UUID) -> BaseDocType | None:
        rows = json.loads(DATA_FILE["path"].read_text())
        row = next((r for r in rows if r["id"] == str(id)), None)
        return None if row is None else self.doctype.model_validate(row)


class Country(BaseDocType):
    code: str

    class Meta:
        repository_class = "test_repository_factory:FileRepository"


def test_generic_repository_per_doctype_with_controller(tmp_path: Path) -> None:
    from sample_doctypes import registry

    runtime = DatabaseRuntime.build(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db"), registry()
    )
    repo = runtime.repositories.get(Invoice)
    assert isinstance(repo, GenericRepository)
    assert repo.controller_class is InvoiceController
    assert runtime.repositories.get(Invoice) is repo
    assert runtime.repositories.create_generic_repository("Invoice") is repo


async def test_virtual_doctype_uses_its_own_repository(tmp_path: Path) -> None:
    DATA_FILE["path"] = tmp_path / "countries.json"
    doc = Country(code="NZ")
    DATA_FILE["path"].write_text(json.dumps([doc.model_dump(mode="json", by_alias=True)]))
    registry = MetaRegistry()
    registry.register_doctype(Country)
    runtime = DatabaseRuntime.build(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db"), registry
    )
    repo = runtime.repositories.get(Country)
    assert isinstance(repo, FileRepository)
    loaded = await repo.get(None, doc.id)
    assert loaded is not None
    assert loaded.code == "NZ"  # type: ignore[attr-defined]
