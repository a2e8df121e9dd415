"""Unit of work on SQLAlchemy: one connection, one transaction, rollback unless committed.

The session handed to repositories is a Core ``AsyncConnection``: documents are Pydantic
models, so an ORM identity map would only cost time.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection

from framework_m_core.exceptions import RepositoryError
from framework_m_standard.adapters.db.connection import ConnectionFactory


class SqlAlchemyUnitOfWork:
    def __init__(self, connections: ConnectionFactory, bind: str = "default") -> None:
        self._connections = connections
        self._bind = bind
        self._connection: AsyncConnection | None = None

    @property
    def session(self) -> AsyncConnection:
        if self._connection is None:
            raise RepositoryError("The unit of work is not active; use it in 'async with'")
        return self._connection

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RepositoryError("A unit of work cannot be entered twice")
        self._connection = await self._connections.get_engine(self._bind).connect()
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
            await connection.close()


class SqlAlchemyUnitOfWorkFactory:
    """``factory(bind)`` -> a new unit of work; what the DI container hands out."""

    def __init__(self, connections: ConnectionFactory) -> None:
        self.connections = connections

    def __call__(self, bind: str = "default") -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.connections, bind)
