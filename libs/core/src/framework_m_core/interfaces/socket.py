"""Socket port: push realtime messages to connected browsers, across every API process.

The adapter fans out through a backplane (NATS) so a message reaches a user whichever
process holds their WebSocket. Messages are JSON objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class SocketProtocol(Protocol):
    async def broadcast(self, topic: str, message: Mapping[str, Any]) -> None:
        """Send a message to every connection subscribed to the topic."""
        ...

    async def send_to_user(self, user_id: str, message: Mapping[str, Any]) -> None:
        """Send a message to every open connection of one user."""
        ...
