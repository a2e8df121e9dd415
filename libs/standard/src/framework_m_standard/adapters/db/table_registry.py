"""TableRegistry: DocType name -> its table and mapping, filled by the schema mapper at startup."""

from __future__ import annotations

from sqlalchemy import Table

from framework_m_core.exceptions import DocTypeNotFoundError
from framework_m_standard.adapters.db.mapping import DocTypeMapping


class TableRegistry:
    def __init__(self) -> None:
        self._mappings: dict[str, DocTypeMapping] = {}

    def register(self, mapping: DocTypeMapping) -> None:
        self._mappings[mapping.name] = mapping

    def get_table(self, doctype_name: str) -> Table:
        return self.get_mapping(doctype_name).table

    def get_mapping(self, doctype_name: str) -> DocTypeMapping:
        try:
            return self._mappings[doctype_name]
        except KeyError:
            raise DocTypeNotFoundError(
                f"DocType {doctype_name!r} has no table; was it registered before schema sync?",
                doctype=doctype_name,
            ) from None

    def table_exists(self, doctype_name: str) -> bool:
        return doctype_name in self._mappings

    def mappings(self) -> list[DocTypeMapping]:
        return list(self._mappings.values())
