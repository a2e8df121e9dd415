"""Alembic's environment script; ``MigrationManager`` points Alembic's script_location here.

Online mode only: the connection, the target metadata and the tables this database owns come
from ``config.attributes`` (set by ``MigrationManager``), never from an ``alembic.ini``.
"""

from __future__ import annotations

from alembic import context

from framework_m_standard.adapters.db.migrations.environment import run_migrations_online

# Alembic loads this file as a standalone module; importing it as part of the package
# (a docs build, a test that walks every module) must not try to run migrations.
if not __name__.startswith("framework_m_standard."):
    run_migrations_online(context.config)
