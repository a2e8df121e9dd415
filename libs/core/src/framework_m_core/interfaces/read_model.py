"""Read model port (CQRS): project events into a query-optimised store and query it.

A projector subscribes to ``doc.created`` / ``doc.updated`` and upserts denormalised rows
into a read store (a replica table, ClickHouse, Elasticsearch).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from framework_m_core.interfaces.event_bus import Event


class ReadModelProtocol(Protocol):
    async def project(self, event: Event) -> None:
        """Apply one event to the read store; applying the same event twice changes nothing."""
        ...

    async def query(
        self, filters: Mapping[str, Any] | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Rows of the read store whose fields equal the filter values."""
        ...

    async def rebuild(self) -> None:
        """Drop the read store and project every stored event or document again."""
        ...
