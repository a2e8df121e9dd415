"""Tables the engine itself needs: the naming-series counters and the outbox."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, Uuid

from framework_m_standard.adapters.db.types import UtcDateTime, json_type


def naming_counter_table(metadata: MetaData) -> Table:
    if "framework_naming_counter" in metadata.tables:
        return metadata.tables["framework_naming_counter"]
    return Table(
        "framework_naming_counter",
        metadata,
        Column("prefix", String(200), primary_key=True),
        Column("current", BigInteger(), nullable=False),
    )


def outbox_table(metadata: MetaData) -> Table:
    if "framework_outbox" in metadata.tables:
        return metadata.tables["framework_outbox"]
    return Table(
        "framework_outbox",
        metadata,
        Column("id", Uuid(), primary_key=True),
        Column("target", String(200), nullable=False),
        Column("payload", json_type(), nullable=False),
        Column("status", String(20), nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("processed_at", UtcDateTime(), nullable=True),
        Column("error_message", Text(), nullable=True),
        Column("retry_count", Integer(), nullable=False, server_default="0"),
        Index("ix_framework_outbox_status_created_at", "status", "created_at"),
    )
