"""The client side of ``WS /api/v1/stream``: JSON messages in, acks, errors and pongs out.

Client messages are JSON objects with an ``action``:

- ``{"action": "subscribe", "doctype": "Ticket"}`` — events of every Ticket the user may read;
- ``{"action": "subscribe", "doctype": "Ticket", "id": "<uuid>"}`` — events of one Ticket;
- ``{"action": "subscribe", "topic": "news"}`` — messages ``broadcast`` to that topic;
- ``{"action": "unsubscribe", ...}`` with the same fields;
- ``{"action": "ping"}`` — answered ``{"type": "pong"}``; ``{"action": "pong"}`` answers the
  server's ``{"type": "ping"}``.

An optional ``ref`` (string or number) is echoed in the reply. Replies go through the
connection's send queue, so they keep their order with the events.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from framework_m_core.exceptions import (
    DocTypeNotFoundError,
    EntityNotFoundError,
    FrameworkError,
    PermissionDeniedError,
)
from framework_m_core.services.documents import DocumentService
from framework_m_core.settings import RealtimeSettings
from framework_m_standard.adapters.realtime.connections import (
    Connection,
    ConnectionManager,
    SubscriptionKey,
    doctype_key,
    document_key,
    topic_key,
)

_MAX_TOPIC = 200


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def frame(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, **fields}, default=str)


class StreamSession:
    """Answers one connection's messages."""

    def __init__(
        self,
        connection: Connection,
        *,
        manager: ConnectionManager,
        documents: DocumentService,
        settings: RealtimeSettings,
    ) -> None:
        self.connection = connection
        self.manager = manager
        self.documents = documents
        self.settings = settings

    async def handle(self, text: str) -> None:
        """One message from the client (already checked against the size limit)."""
        self.connection.touch()
        try:
            message = json.loads(text)
        except ValueError:
            self._reply("error", code="bad_message", message="Messages must be JSON objects")
            return
        if not isinstance(message, dict):
            self._reply("error", code="bad_message", message="Messages must be JSON objects")
            return
        ref = message.get("ref")
        extra: dict[str, Any] = {"ref": ref} if isinstance(ref, str | int) else {}
        action = message.get("action")
        try:
            if action == "ping":
                self._reply("pong", **extra)
            elif action == "pong":
                pass
            elif action == "subscribe":
                key = await self._key(message, checked=True)
                if key not in self.connection.subscriptions:
                    if len(self.connection.subscriptions) >= self.settings.max_subscriptions:
                        raise _Refused(
                            "too_many_subscriptions",
                            f"At most {self.settings.max_subscriptions} subscriptions per connection",
                        )
                    self.manager.subscribe(self.connection, key)
                self._reply("ack", action="subscribe", **_describe(key), **extra)
            elif action == "unsubscribe":
                key = await self._key(message, checked=False)
                self.manager.unsubscribe(self.connection, key)
                self._reply("ack", action="unsubscribe", **_describe(key), **extra)
            else:
                raise _Refused("bad_message", "action must be subscribe, unsubscribe, ping or pong")
        except _Refused as refused:
            self._reply("error", code=refused.code, message=refused.message, **extra)

    async def _key(self, message: dict[str, Any], *, checked: bool) -> SubscriptionKey:
        topic, doctype_name, id = message.get("topic"), message.get("doctype"), message.get("id")
        if topic is not None:
            if doctype_name is not None or id is not None:
                raise _Refused("bad_message", "Give either topic or doctype (and id), not both")
            if not isinstance(topic, str) or not 0 < len(topic) <= _MAX_TOPIC:
                raise _Refused(
                    "bad_message", f"topic must be a string of 1 to {_MAX_TOPIC} characters"
                )
            return topic_key(topic)
        if not isinstance(doctype_name, str) or not doctype_name:
            raise _Refused("bad_message", "doctype (or topic) is required")
        document_id: UUID | None = None
        if id is not None:
            try:
                document_id = UUID(str(id))
            except ValueError:
                raise _Refused("bad_message", "id must be a UUID") from None
        if checked:
            await self._check_read(doctype_name, document_id)
        if document_id is None:
            return doctype_key(doctype_name)
        return document_key(doctype_name, str(document_id))

    async def _check_read(self, doctype_name: str, document_id: UUID | None) -> None:
        """The same checks as ``GET``: the DocType, then the document, must be readable."""
        actor, documents = self.connection.actor, self.documents
        try:
            doctype = documents.resource(doctype_name)
            await documents.authorize(actor, doctype, "read")
            if document_id is not None:
                await documents.get_record(actor, doctype, document_id, fields=["id"])
        except (DocTypeNotFoundError, EntityNotFoundError) as exc:
            raise _Refused("not_found", str(exc)) from None
        except PermissionDeniedError as exc:
            raise _Refused("permission_denied", str(exc)) from None
        except FrameworkError as exc:
            raise _Refused("error", str(exc)) from None

    def _reply(self, kind: str, **fields: Any) -> None:
        self.connection.offer(frame(kind, **fields))


def _describe(key: SubscriptionKey) -> dict[str, str]:
    if key[0] == "topic":
        return {"topic": key[1]}
    if key[0] == "doc":
        return {"doctype": key[1], "id": key[2]}
    return {"doctype": key[1]}
