"""Alembic migrations for the mapped DocType tables (``m migrate``)."""

from __future__ import annotations

from framework_m_standard.adapters.db.migrations.manager import (
    MigrateResult,
    MigrationManager,
    MigrationStatus,
    RevisionInfo,
)

__all__ = ["MigrateResult", "MigrationManager", "MigrationStatus", "RevisionInfo"]
