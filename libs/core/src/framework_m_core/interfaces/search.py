"""Search port: full-text search over documents, by DocType."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel, Field


class SearchResult(BaseModel):
    """One page of hits. ``facets``: field -> value -> count; ``highlights``: doc id -> snippets."""

    items: list[dict[str, Any]] = Field(default_factory=list)
    total: int = Field(default=0, ge=0)
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)
    highlights: dict[str, list[str]] = Field(default_factory=dict)


class SearchProtocol(Protocol):
    async def index(self, doctype: str, doc_id: str, doc: Mapping[str, Any]) -> None:
        """Add or replace one document in the DocType's index."""
        ...

    async def delete_index(self, doctype: str, doc_id: str) -> None:
        """Remove one document from the DocType's index."""
        ...

    async def search(
        self,
        doctype: str,
        query: str,
        filters: Mapping[str, Any] | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """A page of documents of the DocType matching the query and exact-match filters."""
        ...

    async def reindex(self, doctype: str) -> int:
        """Rebuild the DocType's index from the database; how many documents were indexed."""
        ...
