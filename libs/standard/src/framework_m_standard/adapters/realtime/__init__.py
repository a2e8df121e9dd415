"""Realtime: WebSocket connections, the socket backplane (in-process or NATS) and the
permission-filtered fan-out of document events. Framework-agnostic: the web adapter owns
the socket itself (``adapters/web/stream_routes.py``)."""

from framework_m_standard.adapters.realtime.access import ReadAccess, ReadRule
from framework_m_standard.adapters.realtime.backplane import LocalSocket, NatsSocket
from framework_m_standard.adapters.realtime.connections import Connection, ConnectionManager
from framework_m_standard.adapters.realtime.fanout import DocumentEvents
from framework_m_standard.adapters.realtime.protocol import StreamSession
from framework_m_standard.adapters.realtime.service import Realtime

__all__ = [
    "Connection",
    "ConnectionManager",
    "DocumentEvents",
    "LocalSocket",
    "NatsSocket",
    "ReadAccess",
    "ReadRule",
    "Realtime",
    "StreamSession",
]
