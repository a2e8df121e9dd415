"""RepositoryFactory: the repository of a DocType, generic or the DocType's own."""

from __future__ import annotations

from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Table

from framework_m_core.container import load_object
from framework_m_core.doctypes import DocumentShare
from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.registry import MetaRegistry
from framework_m_standard.adapters.db.connection import ConnectionFactory
from framework_m_standard.adapters.db.generic_repository import GenericRepository
from framework_m_standard.adapters.db.naming import NamingService
from framework_m_standard.adapters.db.outbox_repository import SqlAlchemyOutboxRepository
from framework_m_standard.adapters.db.table_registry import TableRegistry

T = TypeVar("T", bound=BaseDocType)


class SqlAlchemyRepositoryFactory:
    """Builds each repository once. ``Meta.repository_class`` (a class or ``module:attr``)
    replaces the generic repository for virtual DocTypes; it is called with ``doctype=``."""

    def __init__(
        self,
        *,
        tables: TableRegistry,
        registry: MetaRegistry,
        naming: NamingService,
        outbox: SqlAlchemyOutboxRepository,
        connections: ConnectionFactory | None = None,
    ) -> None:
        """``connections`` gives repositories their read lanes (``list_records``)."""
        self._tables = tables
        self._connections = connections
        self._registry = registry
        self._naming = naming
        self._outbox = outbox
        self._cache: dict[type[BaseDocType], Any] = {}

    def get(self, doctype: type[T]) -> GenericRepository[T]:
        repository = self._cache.get(doctype)
        if repository is None:
            repository = self._cache[doctype] = self._build(doctype)
        return repository  # type: ignore[no-any-return]

    def create_generic_repository(self, doctype_name: str) -> GenericRepository[BaseDocType]:
        """The repository for a DocType known only by name (URLs, jobs)."""
        return self.get(self._registry.get_doctype(doctype_name))

    def _build(self, doctype: type[T]) -> Any:
        custom = doctype.get_meta().repository_class
        if custom is not None:
            factory = load_object(custom) if isinstance(custom, str) else custom
            return factory(doctype=doctype)
        name = doctype.get_doctype_name()
        controller = (
            self._registry.get_controller(name) if self._registry.has_doctype(name) else None
        )
        bind = doctype.get_meta().bind
        connections = self._connections
        return GenericRepository[T](
            self._tables.get_mapping(name),
            controller_class=controller,
            naming=self._naming,
            outbox=self._outbox,
            reader=None if connections is None else partial(connections.read_lane, bind),
            shares=self._shares_table(bind),
        )

    def _shares_table(self, bind: str) -> Table | None:
        """DocumentShare's table, if it is in the same database (shares become a subquery)."""
        name = DocumentShare.get_meta().name
        if not self._tables.table_exists(name) or DocumentShare.get_meta().bind != bind:
            return None
        return self._tables.get_table(name)
