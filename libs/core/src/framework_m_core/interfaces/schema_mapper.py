"""Schema mapper port: turn DocType models into storage schema (tables, collections, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from framework_m_core.domain.base_doctype import BaseDocType


class SchemaMapperProtocol(Protocol):
    def create_table(self, model: type[BaseDocType]) -> Any:
        """The storage schema object for one DocType (a SQLAlchemy ``Table``, say)."""
        ...

    def create_tables(self, models: Sequence[type[BaseDocType]]) -> dict[str, Any]:
        """Map several DocTypes at once (links between them resolve); DocType name -> schema."""
        ...
