"""One writing unit of work at a time per SQLite database."""

from __future__ import annotations

import asyncio
from typing import Any


class WriterLock:
    """One unit of work at a time per SQLite database, re-entrant within a task.

    SQLite lets one transaction write at a time; the others retry under the busy timeout
    with sleeps of up to 100 ms, which turns a burst of writes into second-long waits.
    Queueing them here hands the database over without sleeping. A unit of work opened
    inside another one in the same task (a hook reading something) does not wait for itself.

    Since one writer goes at a time, one connection serves them all: the outermost holder
    borrows it (``lend``) and hands it back (``keep``) instead of checking a connection out of
    the pool and returning it per transaction, which costs SQLAlchemy two greenlet switches.
    """

    CHECKPOINT_EVERY = 200
    """Commits between two WAL checkpoints (SQLite's own, off, would checkpoint at about
    1,000 pages, some 300 small transactions)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0
        self._idle: Any = None
        self._commits = 0

    def committed(self) -> bool:
        """Count a commit of the holder; True when a checkpoint is due (the holder runs it)."""
        self._commits += 1
        if self._commits < self.CHECKPOINT_EVERY:
            return False
        self._commits = 0
        return True

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if self._owner is not None and self._owner is task:
            self._depth += 1
            return
        await self._lock.acquire()
        self._owner, self._depth = task, 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()

    def lend(self) -> Any:
        """The writers' connection (and its driver connection) for the outermost holder; None
        when nested or none kept."""
        if self._depth != 1:
            return None
        connection, self._idle = self._idle, None
        return connection

    def keep(self, connection: Any) -> bool:
        """Keep the holder's clean connection for the next writer; False when it cannot."""
        if self._depth != 1 or self._idle is not None:
            return False
        self._idle = connection
        return True

    async def close(self) -> None:
        """Close the kept connection (before the engine is disposed)."""
        kept, self._idle = self._idle, None
        if kept is not None:
            await kept[0].close()
