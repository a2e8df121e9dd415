"""Repository port: load and store documents of one DocType inside a unit of work.

The session is passed in, never stored: a repository is a stateless, shareable object and
the caller's unit of work decides when to commit.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Generic, Literal, Protocol, TypeVar, runtime_checkable
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from framework_m_core.domain.base_doctype import BaseDocType

T = TypeVar("T", bound=BaseDocType)
T_co = TypeVar("T_co", covariant=True)

FilterOperator = Literal[
    "=",
    "!=",
    ">",
    ">=",
    "<",
    "<=",
    "in",
    "not in",
    "like",
    "not like",
    "ilike",
    "not ilike",
    "is",
    "between",
]
"""``ilike``: ``like`` ignoring case on every database, with ``\\`` escaping ``%`` and ``_``."""
FILTER_OPERATORS: frozenset[str] = frozenset(FilterOperator.__args__)  # type: ignore[attr-defined]


class FilterSpec(BaseModel):
    """One condition: ``field operator value``. ``is`` takes ``"set"`` or ``"not set"``."""

    model_config = ConfigDict(frozen=True)

    field: str
    operator: FilterOperator = "="
    value: Any = None


class SharedWith(BaseModel):
    """Documents shared with ``user_id`` (``DocumentShare``) in a way that allows ``action``.

    The SQL adapter turns it into a subquery, so a permission check costs no extra round trip
    and always sees the shares as they are now.
    """

    model_config = ConfigDict(frozen=True)

    user_id: str
    action: str


class FilterGroup(BaseModel):
    """Alternatives: a row matches when it matches every condition of at least one group.

    Row-level security needs OR ("my documents, or documents shared with me"); plain filters
    are ANDed. An empty ``any_of`` matches nothing.
    """

    model_config = ConfigDict(frozen=True)

    any_of: tuple[tuple[FilterSpec | SharedWith, ...], ...]


Condition = FilterSpec | FilterGroup
"""What a query's ``filters`` hold: plain conditions and OR-groups, all ANDed together."""


class OrderSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    direction: Literal["asc", "desc"] = "asc"


class PaginatedResult(BaseModel, Generic[T_co]):
    """A page of results. ``total`` is None when the caller did not ask for a count.

    ``next_cursor`` continues a keyset-paginated list (``after=``) where this page ended.
    """

    items: list[T_co]
    total: int | None
    limit: int
    offset: int
    has_more: bool
    next_cursor: str | None = None


class RepositoryProtocol(Protocol[T]):
    """CRUD for one DocType. ``session`` is the open session of the caller's unit of work."""

    async def get(self, session: Any, id: UUID) -> T | None:
        """The document with this id (children loaded), or None."""
        ...

    async def get_by_name(self, session: Any, name: str) -> T | None:
        """The document with this human-readable name, or None."""
        ...

    async def save(
        self, session: Any, entity: T, version: int | None = None, *, user: Any = None
    ) -> T:
        """Insert a new or update an existing document, running controller hooks.

        ``version`` is the ``_version`` the caller read; an update whose stored version
        differs raises ``VersionConflictError``. ``user`` becomes owner / modified_by.
        """
        ...

    async def delete(
        self, session: Any, id: UUID, *, hard: bool | None = None, user: Any = None
    ) -> None:
        """Delete a document (soft when the DocType says so, unless ``hard``)."""
        ...

    async def submit(self, session: Any, entity: T, *, user: Any = None) -> T:
        """Draft -> Submitted (submittable DocTypes only)."""
        ...

    async def cancel(self, session: Any, entity: T, *, user: Any = None) -> T:
        """Submitted -> Cancelled."""
        ...

    async def exists(self, session: Any, id: UUID) -> bool:
        """Whether a (not deleted) document with this id exists."""
        ...

    async def count(self, session: Any, filters: Sequence[Condition] | None = None) -> int:
        """How many documents match the filters."""
        ...

    async def list(
        self,
        session: Any,
        filters: Sequence[Condition] | None = None,
        order_by: Sequence[OrderSpec] | None = None,
        limit: int = 20,
        offset: int = 0,
        *,
        with_total: bool = True,
    ) -> PaginatedResult[T]:
        """A page of documents matching the filters, in the given order."""
        ...

    async def bulk_save(
        self, session: Any, entities: Sequence[T], *, user: Any = None
    ) -> builtins.list[T]:
        """Save many documents; new ones go in one multi-row INSERT per table."""
        ...


@runtime_checkable
class RecordReaderProtocol(Protocol):
    """The fast read path of a repository: committed rows as JSON-ready dicts.

    It reads outside any unit of work (what is committed now), fetches no per-row objects and
    compiles each query shape once. Repositories without it are read through ``list``.
    """

    async def list_records(
        self,
        filters: Sequence[Condition] | None = None,
        order_by: Sequence[OrderSpec] | None = None,
        limit: int = 20,
        offset: int = 0,
        *,
        fields: Sequence[str] | None = None,
        exclude: frozenset[str] = frozenset(),
        after: str | None = None,
        with_total: bool = False,
        total_limit: int | None = None,
    ) -> PaginatedResult[dict[str, Any]]:
        """A page of records with their children; ``fields`` selects columns (``id`` always),
        ``exclude`` drops some; ``after`` is a ``next_cursor``; ``total_limit`` caps the count."""
        ...

    async def count_records(
        self, filters: Sequence[Condition] | None = None, *, limit: int | None = None
    ) -> int:
        """How many rows match, counting at most ``limit + 1`` when a limit is given."""
        ...


class RepositoryFactoryProtocol(Protocol):
    """Hands out the repository for a DocType: ``factory.get(Invoice)``."""

    def get(self, doctype: type[T]) -> RepositoryProtocol[T]:
        """The repository of this DocType (a custom one when ``Meta.repository_class`` is set)."""
        ...
