"""A real webhook receiver on 127.0.0.1: ``http.server`` in a thread.

It verifies the signature of every delivery with the receiver recipe of docs/webhooks.md,
records each call (arrival time, headers, body, whether the signature held) and answers
500 to the first ``fail_first`` calls, then 200.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from framework_m_standard.adapters.webhooks.signing import SIGNATURE_HEADER, verify


@dataclass
class Call:
    at: float
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str | None = None
    fail_first: int = 0
    delay: float = 0.0
    """Seconds to wait before answering (a slow receiver)."""
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, handler: BaseHTTPRequestHandler) -> int:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        headers = dict(handler.headers.items())
        valid = self.secret is not None and verify(
            self.secret, handler.headers.get(SIGNATURE_HEADER), body, tolerance=60
        )
        with self._lock:
            status = 500 if len(self.calls) < self.fail_first else 200
            self.calls.append(
                Call(time.monotonic(), handler.command, handler.path, headers, body, valid, status)
            )
        return status

    def reset(self, *, secret: str | None = None, fail_first: int = 0, delay: float = 0.0) -> None:
        with self._lock:
            self.secret, self.fail_first, self.calls = secret, fail_first, []
            self.delay = delay

    async def wait_for(self, count: int, within: float = 30.0) -> list[Call]:
        """The calls, once there are at least ``count`` of them (fails after ``within`` seconds)."""
        deadline = time.monotonic() + within
        while len(self.calls) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(self.calls)} of {count} deliveries arrived: {self.calls}"
                )
            await asyncio.sleep(0.02)
        return list(self.calls)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            status = receiver.record(self)
            if receiver.delay:
                time.sleep(receiver.delay)  # the slow receiver under test, in its own thread
            payload = b'{"ok": true}' if status == 200 else b'{"error": "down"}'
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        do_POST = do_PUT = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
