"""``SystemContext``: run code as the system principal, on purpose and on the record.

Background jobs, migrations and admin scripts sometimes must act beyond any user's rights.
They say so explicitly; every such block is logged with its reason under ``principal=system``.
"""

from __future__ import annotations

import logging
import time
from types import TracebackType

from framework_m_core.interfaces.auth_context import UserContext

audit_logger = logging.getLogger("framework_m.audit")


class SystemContext:
    """``async with SystemContext(reason="nightly sync") as system: await svc.list(system, ...)``."""

    def __init__(self, *, reason: str, tenants: list[str] | None = None) -> None:
        if not reason.strip():
            raise ValueError("SystemContext needs a reason; it is written to the audit log")
        self.reason = reason
        self.user = UserContext.system(tenants=tenants)
        self._started = 0.0

    async def __aenter__(self) -> UserContext:
        self._started = time.monotonic()
        audit_logger.info(
            "system operation started", extra={"principal": self.user.id, "reason": self.reason}
        )
        return self.user

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        audit_logger.info(
            "system operation %s",
            "failed" if exc is not None else "finished",
            extra={
                "principal": self.user.id,
                "reason": self.reason,
                "seconds": round(time.monotonic() - self._started, 3),
                "error": repr(exc) if exc is not None else None,
            },
        )
