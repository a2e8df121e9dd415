"""``Realtime``: the realtime machinery of one API process, started and stopped together.

The connection manager, the socket adapter (``NatsSocket`` with ``nats_url``, else
``LocalSocket``), the read checks and the ``doc.>`` fan-out subscription on the event bus.
"""

from __future__ import annotations

import logging

from framework_m_core.interfaces.event_bus import EventBusProtocol
from framework_m_core.services.documents import DocumentService
from framework_m_core.settings import Settings
from framework_m_standard.adapters.realtime.access import ReadAccess
from framework_m_standard.adapters.realtime.backplane import LocalSocket, NatsSocket
from framework_m_standard.adapters.realtime.connections import ConnectionManager
from framework_m_standard.adapters.realtime.fanout import DocumentEvents

logger = logging.getLogger(__name__)


class Realtime:
    """Everything an API process needs to serve ``WS /api/v1/stream``."""

    def __init__(
        self,
        settings: Settings,
        *,
        documents: DocumentService,
        event_bus: EventBusProtocol | None,
    ) -> None:
        self.settings = settings.realtime
        self.documents = documents
        self.event_bus = event_bus
        self.manager = ConnectionManager()
        self.access = ReadAccess(documents, ttl=self.settings.permission_cache_ttl)
        self.socket: LocalSocket | NatsSocket = (
            NatsSocket(settings.nats_url, prefix=self.settings.subject_prefix, manager=self.manager)
            if settings.nats_url
            else LocalSocket(self.manager)
        )
        self.events = DocumentEvents(self.manager, self.access)

    async def start(self) -> None:
        await self.socket.start()
        if self.event_bus is None:
            logger.warning("realtime: no event bus; document events will not be pushed")
        else:
            await self.events.start(self.event_bus)

    async def stop(self) -> None:
        self.manager.close_all()
        await self.events.stop()
        await self.socket.stop()
