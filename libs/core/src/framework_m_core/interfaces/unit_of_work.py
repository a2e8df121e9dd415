"""Unit of work port: one transaction, committed explicitly, rolled back on any exception."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, Self


class UnitOfWorkProtocol(Protocol):
    """``async with uow_factory() as uow: ...; await uow.commit()``.

    Leaving the block without ``commit()`` (or with an exception) rolls back.
    """

    @property
    def session(self) -> Any:
        """The open session; raises if the unit of work has not been entered."""
        ...

    async def commit(self) -> None:
        """Make every change of this unit of work durable."""
        ...

    async def rollback(self) -> None:
        """Discard every change since the last commit."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactoryProtocol(Protocol):
    def __call__(self, bind: str = "default", *, write_behind: bool = False) -> UnitOfWorkProtocol:
        """A new unit of work on the named database bind.

        ``write_behind``: the caller commits right after its writes, so the adapter may hold
        writes back and send them with the COMMIT in one round trip. A write's error (a
        version conflict, a duplicate name) then surfaces at ``commit()``, not at the write;
        reads in the unit of work still see its own writes.
        """
        ...
