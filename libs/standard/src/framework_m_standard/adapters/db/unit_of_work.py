"""Unit of work on SQLAlchemy: one connection, one transaction, rollback unless committed.

The session handed to repositories is a Core ``AsyncConnection``: documents are Pydantic
models, so an ORM identity map would only cost time.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncConnection

from framework_m_core.exceptions import RepositoryError
from framework_m_standard.adapters.db.connection import ConnectionFactory


class WriterLock:
    """One unit of work at a time per SQLite database, re-entrant within a task.

    SQLite lets one transaction write at a time; the others retry under the busy timeout
    with sleeps of up to 100 ms, which turns a burst of writes into second-long waits.
    Queueing them here hands the database over without sleeping. A unit of work opened
    inside another one in the same task (a hook reading something) does not wait for itself.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0

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


class SqlAlchemyUnitOfWork:
    def __init__(
        self,
        connections: ConnectionFactory,
        bind: str = "default",
        writer_lock: WriterLock | None = None,
    ) -> None:
        self._connections = connections
        self._bind = bind
        self._connection: AsyncConnection | None = None
        self._writer_lock = writer_lock

    @property
    def session(self) -> AsyncConnection:
        if self._connection is None:
            raise RepositoryError("The unit of work is not active; use it in 'async with'")
        return self._connection

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RepositoryError("A unit of work cannot be entered twice")
        if self._writer_lock is not None:
            await self._writer_lock.acquire()
        try:
            self._connection = await self._connections.get_engine(self._bind).connect()
        except BaseException:
            if self._writer_lock is not None:
                self._writer_lock.release()
            raise
        return self

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            # Anything not committed explicitly is discarded, on error or not.
            if connection.in_transaction():
                await connection.rollback()
        finally:
            try:
                await connection.close()
            finally:
                if self._writer_lock is not None:
                    self._writer_lock.release()


class SqlAlchemyUnitOfWorkFactory:
    """``factory(bind)`` -> a new unit of work; what the DI container hands out."""

    def __init__(self, connections: ConnectionFactory) -> None:
        self.connections = connections
        self._writer_locks: dict[str, WriterLock | None] = {}

    def __call__(self, bind: str = "default") -> SqlAlchemyUnitOfWork:
        if bind not in self._writer_locks:
            single_writer = self.connections.get_engine(bind).dialect.name == "sqlite"
            self._writer_locks[bind] = WriterLock() if single_writer else None
        return SqlAlchemyUnitOfWork(self.connections, bind, self._writer_locks[bind])
