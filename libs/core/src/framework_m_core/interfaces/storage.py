"""Storage port: file contents by path, on local disk or in S3-compatible object storage.

Paths are relative, ``/``-separated keys (``2025/01/31/invoice.pdf``); adapters reject
paths that try to escape their root.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field


class FileMetadata(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    size: int = Field(ge=0)
    content_type: str | None = None
    modified: datetime | None = None
    etag: str | None = None


class StorageProtocol(Protocol):
    async def save_file(self, path: str, content: bytes, content_type: str | None = None) -> str:
        """Write (or overwrite) a file; the path it was stored under."""
        ...

    async def get_file(self, path: str) -> bytes:
        """The file's content; raises ``EntityNotFoundError`` when it does not exist."""
        ...

    async def delete_file(self, path: str) -> None:
        """Remove a file; a missing file is not an error."""
        ...

    async def list_files(self, prefix: str) -> list[str]:
        """Paths of every file under the prefix, sorted."""
        ...

    async def get_metadata(self, path: str) -> FileMetadata | None:
        """Size, type, modification time and etag of a file, or None when it does not exist."""
        ...

    async def get_url(self, path: str, expires: int = 3600) -> str:
        """A URL to download the file (presigned for S3), valid ``expires`` seconds."""
        ...

    async def copy(self, src: str, dest: str) -> str:
        """Copy a file; the destination path."""
        ...

    async def move(self, src: str, dest: str) -> str:
        """Move (rename) a file; the destination path."""
        ...
