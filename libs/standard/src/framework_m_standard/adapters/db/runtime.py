"""The database side of an application, wired once at startup (the composition of the db adapters)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings
from framework_m_standard.adapters.db.connection import ConnectionFactory
from framework_m_standard.adapters.db.field_registry import FieldRegistry
from framework_m_standard.adapters.db.naming import NamingService
from framework_m_standard.adapters.db.outbox_repository import SqlAlchemyOutboxRepository
from framework_m_standard.adapters.db.repository_factory import SqlAlchemyRepositoryFactory
from framework_m_standard.adapters.db.schema_mapper import SqlAlchemySchemaMapper
from framework_m_standard.adapters.db.schema_sync import SchemaChanges, sync_schema
from framework_m_standard.adapters.db.table_registry import TableRegistry
from framework_m_standard.adapters.db.unit_of_work import SqlAlchemyUnitOfWorkFactory


@dataclass
class DatabaseRuntime:
    connections: ConnectionFactory
    metadata: MetaData
    mapper: SqlAlchemySchemaMapper
    tables: TableRegistry
    naming: NamingService
    outbox: SqlAlchemyOutboxRepository
    unit_of_work: SqlAlchemyUnitOfWorkFactory
    repositories: SqlAlchemyRepositoryFactory

    @classmethod
    def build(
        cls,
        settings: Settings,
        registry: MetaRegistry,
        *,
        field_registry: FieldRegistry | None = None,
        connections: ConnectionFactory | None = None,
    ) -> DatabaseRuntime:
        """Map every registered DocType to a table; no database I/O happens here."""
        metadata = MetaData()
        tables = TableRegistry()
        mapper = SqlAlchemySchemaMapper(
            metadata=metadata, field_registry=field_registry, table_registry=tables
        )
        mapper.create_tables(registry.doctypes())
        naming = NamingService(metadata)
        outbox = SqlAlchemyOutboxRepository(metadata)
        connections = connections or ConnectionFactory.from_settings(settings)
        return cls(
            connections=connections,
            metadata=metadata,
            mapper=mapper,
            tables=tables,
            naming=naming,
            outbox=outbox,
            unit_of_work=SqlAlchemyUnitOfWorkFactory(connections),
            repositories=SqlAlchemyRepositoryFactory(
                tables=tables,
                registry=registry,
                naming=naming,
                outbox=outbox,
                connections=connections,
            ),
        )

    def tables_by_bind(self) -> dict[str, list[Table]]:
        """Which tables live in which database; the engine's own tables live in ``default``."""
        result: dict[str, list[Table]] = defaultdict(list)
        mapped = set()
        for mapping in self.tables.mappings():
            result[mapping.doctype.get_meta().bind].append(mapping.table)
            mapped.add(mapping.table.name)
        result["default"].extend(t for t in self.metadata.sorted_tables if t.name not in mapped)
        return dict(result)

    async def sync_schema(self) -> dict[str, SchemaChanges]:
        """Create missing tables and nullable columns on every bind."""
        return {
            bind: await sync_schema(self.connections.get_engine(bind), self.metadata, tables)
            for bind, tables in self.tables_by_bind().items()
        }

    async def dispose(self) -> None:
        await self.connections.dispose()
