"""Unit of work on SQLAlchemy: one session, one transaction, rollback unless committed.

The session handed to repositories is a ``DbSession`` (see ``session.py``): a Core connection
opened at the first statement; documents are Pydantic models, so an ORM identity map would
only cost time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Self

from framework_m_core.exceptions import RepositoryError
from framework_m_standard.adapters.db.connection import ConnectionFactory
from framework_m_standard.adapters.db.session import DbSession
from framework_m_standard.adapters.db.statements import StatementCache
from framework_m_standard.adapters.db.writer_lock import WriterLock

logger = logging.getLogger(__name__)


class SqlAlchemyUnitOfWork:
    def __init__(
        self,
        connections: ConnectionFactory,
        bind: str = "default",
        writer_lock: WriterLock | None = None,
        compiled: StatementCache | None = None,
        after_commit: Callable[[], None] | None = None,
        *,
        write_behind: bool = False,
    ) -> None:
        self._connections = connections
        self._write_behind = write_behind
        self._after_commit = after_commit
        self._bind = bind
        self._session: DbSession | None = None
        self._writer_lock = writer_lock
        self._compiled = compiled

    @property
    def session(self) -> DbSession:
        if self._session is None:
            raise RepositoryError("The unit of work is not active; use it in 'async with'")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RepositoryError("A unit of work cannot be entered twice")
        engine = self._connections.get_engine(self._bind)
        trace = self._connections.trace
        self._session = DbSession(
            engine, self._writer_lock, self._compiled, trace, write_behind=self._write_behind
        )
        return self

    async def commit(self) -> None:
        wrote = not self.session.clean
        await self.session.commit()
        if wrote and self._after_commit is not None:
            self._after_commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Anything not committed explicitly is discarded, on error or not.
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class SqlAlchemyUnitOfWorkFactory:
    """``factory(bind)`` -> a new unit of work; what the DI container hands out."""

    def __init__(self, connections: ConnectionFactory) -> None:
        self.connections = connections
        # Driver-level SQL of the write statements, shared by every unit of work.
        self._compiled = StatementCache()
        self._commit_listeners: list[Callable[[], None]] = []

    def add_commit_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener()`` after each commit that wrote (the outbox relay wakes up on it);
        returns the function that removes it again."""
        self._commit_listeners.append(listener)
        return lambda: self._commit_listeners.remove(listener)

    def _committed(self) -> None:
        for listener in list(self._commit_listeners):
            try:
                listener()
            except Exception:  # the commit stands; a listener's trouble is only logged
                logger.exception("commit listener %r failed", listener)

    def __call__(
        self, bind: str = "default", *, write_behind: bool = False
    ) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(
            self.connections,
            bind,
            self.connections.writer_lock(bind),
            self._compiled,
            after_commit=self._committed,
            write_behind=write_behind,
        )
