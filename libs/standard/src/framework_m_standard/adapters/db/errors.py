"""Database errors -> domain errors, so no SQLAlchemy exception leaves the adapter."""

from __future__ import annotations

import logging
import re

from sqlalchemy import exc as sa_exc

from framework_m_core import exceptions as domain

logger = logging.getLogger("framework_m.db")

_PG_UNIQUE = "23505"
_PG_FOREIGN_KEY = "23503"
_PG_NOT_NULL = "23502"
_PG_LOCK = {"40001", "40P01", "55P03"}
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")


def map_db_error(
    error: sa_exc.SQLAlchemyError, *, doctype: str, operation: str
) -> domain.FrameworkError:
    """The domain error for a database error (logged with its context)."""
    context = {"doctype": doctype, "operation": operation}
    message = str(getattr(error, "orig", None) or error)
    sqlstate = _sqlstate(error)
    mapped: domain.FrameworkError
    if isinstance(error, sa_exc.IntegrityError):
        unique = sqlstate == _PG_UNIQUE or "UNIQUE constraint failed" in message
        if unique and _is_name_violation(message):
            mapped = domain.DuplicateNameError(
                f"A {doctype} with this name already exists", **context
            )
        elif unique:
            mapped = domain.IntegrityError(
                f"{doctype}: duplicate value ({_short(message)})", **context
            )
        elif sqlstate == _PG_FOREIGN_KEY or "FOREIGN KEY constraint failed" in message:
            mapped = domain.IntegrityError(
                f"{doctype}: a linked document does not exist or is still linked", **context
            )
        elif sqlstate == _PG_NOT_NULL or "NOT NULL constraint failed" in message:
            mapped = domain.IntegrityError(
                f"{doctype}: a required value is missing ({_short(message)})", **context
            )
        else:
            mapped = domain.IntegrityError(f"{doctype}: {_short(message)}", **context)
    elif sqlstate in _PG_LOCK or "database is locked" in message or "deadlock" in message.lower():
        mapped = domain.LockTimeoutError(f"{doctype}: the database is busy; try again", **context)
    else:
        mapped = domain.DatabaseError(f"{doctype}: database error during {operation}", **context)
    logger.error("database error", extra={**context, "error": message, "sqlstate": sqlstate})
    return mapped


def _sqlstate(error: sa_exc.SQLAlchemyError) -> str | None:
    orig = getattr(error, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def _is_name_violation(message: str) -> bool:
    match = _SQLITE_UNIQUE.search(message)
    if match:
        return any(col.rsplit(".", 1)[-1] == "name" for col in match.group(1).split(", "))
    return "_name_key" in message or "(name)" in message


def _short(message: str) -> str:
    return message.splitlines()[0][:200]
