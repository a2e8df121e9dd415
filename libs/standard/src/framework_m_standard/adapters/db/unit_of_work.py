"""Unit of work on SQLAlchemy: one session, one transaction, rollback unless committed.

The session handed to repositories is a ``DbSession`` (see ``session.py``): a Core connection
opened at the first statement; documents are Pydantic models, so an ORM identity map would
only cost time.

After a COMMIT the outbox rows the transaction wrote go straight to this process's outbox
relay (``OutboxConsumer``, set with ``set_outbox_consumer``), which publishes them without
reading them back; the rows in the table stay the crash-safe record until it marks them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, Self

from framework_m_core.exceptions import RepositoryError
from framework_m_standard.adapters.db.connection import ConnectionFactory
from framework_m_standard.adapters.db.session import DbSession
from framework_m_standard.adapters.db.statements import StatementCache
from framework_m_standard.adapters.db.writer_lock import WriterLock

logger = logging.getLogger(__name__)


class OutboxConsumer(Protocol):
    """What takes committed outbox rows in this process (``OutboxRelay``)."""

    target: str
    """The outbox target it publishes."""

    def accepts(self) -> bool:
        """Whether rows written now will be published by it without a poll (it runs)."""
        ...

    def hand_off(self, rows: list[dict[str, Any]]) -> None:
        """Committed rows of ``target`` written as ``handed``: publish them, then mark them."""
        ...

    def wake(self) -> None:
        """Committed rows wait as ``pending``: look at the outbox table soon."""
        ...


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
        outbox: OutboxConsumer | None = None,
    ) -> None:
        self._connections = connections
        self._write_behind = write_behind
        self._outbox = outbox
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
        outbox = self._outbox
        self._session = DbSession(
            engine,
            self._writer_lock,
            self._compiled,
            trace,
            write_behind=self._write_behind,
            outbox_target=outbox.target if outbox is not None and outbox.accepts() else None,
        )
        return self

    async def commit(self) -> None:
        wrote = not self.session.clean
        written = await self.session.commit()
        outbox = self._outbox
        if outbox is not None:
            try:
                if written.handed:
                    outbox.hand_off(written.handed)
                if written.pending:
                    outbox.wake()
            except Exception:  # the commit stands; the relay's poll finds the rows anyway
                logger.exception("outbox hand-off failed")
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
        self._outbox_consumer: OutboxConsumer | None = None

    def set_outbox_consumer(self, consumer: OutboxConsumer) -> Callable[[], None]:
        """Hand committed outbox rows of ``consumer.target`` to ``consumer`` (one per process:
        the outbox relay); returns the function that removes it again."""
        self._outbox_consumer = consumer

        def remove() -> None:
            if self._outbox_consumer is consumer:
                self._outbox_consumer = None

        return remove

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
            outbox=self._outbox_consumer,
        )
