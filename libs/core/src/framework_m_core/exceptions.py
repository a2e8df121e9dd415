"""The one exception tree of Framework M.

Errors carry a stable ``code`` and keyword-only context; none of them knows about HTTP.
The web adapter owns the map from these classes to status codes.
"""

from __future__ import annotations

from typing import Any, ClassVar


class FrameworkError(Exception):
    """Base of every error Framework M raises on purpose."""

    code: ClassVar[str] = "framework_error"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------- metadata
class MetadataError(FrameworkError):
    code = "metadata_error"


class DocTypeNotFoundError(MetadataError):
    code = "doctype_not_found"


class DuplicateDocTypeError(MetadataError):
    code = "duplicate_doctype"


class InvalidDocTypeError(MetadataError):
    """A DocType declaration the engine cannot map (unknown field type, bad Meta)."""

    code = "invalid_doctype"


# ---------------------------------------------------------------- documents
class ValidationError(FrameworkError):
    """Input a client or a controller hook rejected."""

    code = "validation_error"


class InvalidQueryError(ValidationError):
    """A filter, field or sort key that the DocType does not have."""

    code = "invalid_query"


class PermissionDeniedError(FrameworkError):
    code = "permission_denied"


class AuthenticationError(FrameworkError):
    """No valid credentials: missing, wrong, expired or revoked."""

    code = "not_authenticated"


class CsrfError(PermissionDeniedError):
    """An unsafe request on a cookie session without the session's CSRF token."""

    code = "csrf_failed"


class RateLimitedError(FrameworkError):
    """Too many attempts; ``retry_after`` (seconds) says when to try again."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **context: Any) -> None:
        super().__init__(message, retry_after=retry_after, **context)
        self.retry_after = retry_after


class DocumentImmutableError(ValidationError):
    """A submitted or cancelled document cannot be edited."""

    code = "document_immutable"


# ---------------------------------------------------------------- repository
class RepositoryError(FrameworkError):
    code = "repository_error"


class EntityNotFoundError(RepositoryError):
    code = "not_found"


class ConflictError(RepositoryError):
    """The write collides with another write or with existing data."""

    code = "conflict"


class VersionConflictError(ConflictError):
    """Optimistic concurrency: the document changed since the caller read it."""

    code = "version_conflict"


class DuplicateNameError(ConflictError):
    code = "duplicate_name"


class IntegrityError(ConflictError):
    """A database constraint (foreign key, not null, check) rejected the write."""

    code = "integrity_error"


class LockTimeoutError(ConflictError):
    """The database gave up waiting for a lock (busy, deadlock, serialization failure)."""

    code = "lock_timeout"


class DatabaseError(RepositoryError):
    """The database failed for a reason the caller cannot fix by changing its input."""

    code = "database_error"


# ---------------------------------------------------------------- wiring
class ConfigurationError(FrameworkError):
    code = "configuration_error"


class BootstrapError(FrameworkError):
    code = "bootstrap_error"


class NamingError(ValidationError):
    code = "naming_error"


__all__ = [
    "BootstrapError",
    "ConfigurationError",
    "ConflictError",
    "DatabaseError",
    "DocTypeNotFoundError",
    "DocumentImmutableError",
    "DuplicateDocTypeError",
    "DuplicateNameError",
    "EntityNotFoundError",
    "FrameworkError",
    "IntegrityError",
    "InvalidDocTypeError",
    "InvalidQueryError",
    "LockTimeoutError",
    "MetadataError",
    "NamingError",
    "PermissionDeniedError",
    "RepositoryError",
    "ValidationError",
    "VersionConflictError",
]
