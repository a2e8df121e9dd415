"""Document events to WebSocket clients: a fan-out subscription to ``doc.>`` in every API process.

Each API process receives every document event (a non-durable subscription) and pushes it
to its own connections subscribed to the DocType or to that document, and only to those
whose user may read the document (``ReadAccess``). What a client gets is the document as its
``GET`` would return it (hidden fields left out), or for a deleted document just its
DocType, id and name.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any

from framework_m_core.doctypes.custom_permission import CustomPermission
from framework_m_core.doctypes.document_share import DocumentShare
from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.exceptions import DocTypeNotFoundError
from framework_m_core.interfaces.event_bus import DOC_DELETED, Event, EventBusProtocol
from framework_m_standard.adapters.realtime.access import ReadAccess
from framework_m_standard.adapters.realtime.connections import (
    ConnectionManager,
    doctype_key,
    document_key,
)

logger = logging.getLogger(__name__)

DOC_EVENTS_PATTERN = "doc.>"
_REMEMBERED_EVENTS = 10_000
_PERMISSION_DOCTYPES: dict[str, type[BaseDocType]] = {
    DocumentShare.get_doctype_name(): DocumentShare,
    CustomPermission.get_doctype_name(): CustomPermission,
}


class DocumentEvents:
    """Turns bus events into per-subscriber WebSocket messages."""

    def __init__(self, manager: ConnectionManager, access: ReadAccess) -> None:
        self.manager = manager
        self.access = access
        self._bus: EventBusProtocol | None = None
        self._subscription: str | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.delivered = 0
        """Messages queued to clients so far (for tests and benchmarks)."""

    async def start(self, bus: EventBusProtocol) -> None:
        self._bus = bus
        self._subscription = await bus.subscribe_pattern(DOC_EVENTS_PATTERN, self.handle)

    async def stop(self) -> None:
        bus, subscription = self._bus, self._subscription
        self._bus = self._subscription = None
        if bus is not None and subscription is not None and bus.is_connected():
            await bus.unsubscribe(subscription)

    async def handle(self, event: Event) -> None:
        """Deliver one document event to the local subscribers allowed to read it."""
        if self._already_seen(event.id):
            return
        payload = event.data
        doctype_name, document_id = payload.get("doctype"), payload.get("id")
        data = payload.get("data")
        if not isinstance(doctype_name, str) or not isinstance(document_id, str):
            return
        if not isinstance(data, dict):
            data = {}
        changed = _PERMISSION_DOCTYPES.get(doctype_name)
        if changed is not None:
            # Shares and rules decide what others may read: re-read them from now on.
            self.access.invalidate()
            self.access.documents.changed(changed)
        connections = self.manager.subscribers(
            [doctype_key(doctype_name), document_key(doctype_name, document_id)]
        )
        if not connections:
            return
        try:
            doctype = self.access.documents.registry.get_doctype(doctype_name)
        except DocTypeNotFoundError:
            return
        deleted = event.type == DOC_DELETED
        groups = await self.access.readers(doctype, document_id, data, connections, deleted=deleted)
        for hidden, members in groups.items():
            frame: dict[str, Any] = {
                "type": "event",
                "event": event.type,
                "doctype": doctype_name,
                "id": document_id,
                "name": payload.get("name"),
            }
            if not deleted:
                frame["doc"] = {key: value for key, value in data.items() if key not in hidden}
            self.delivered += self.manager.deliver(members, json.dumps(frame, default=str))

    def _already_seen(self, event_id: str) -> bool:
        # The bus delivers at least once; a redelivered event must not reach clients twice.
        seen = self._seen
        if event_id in seen:
            return True
        seen[event_id] = None
        if len(seen) > _REMEMBERED_EVENTS:
            seen.popitem(last=False)
        return False
