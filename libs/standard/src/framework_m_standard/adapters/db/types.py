"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Float, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        zone = value.tzinfo
        if zone is None:
            value = value.replace(tzinfo=UTC)
        elif zone is not UTC:
            value = value.astimezone(UTC)
        # PostgreSQL takes the aware value; SQLite stores naive UTC text.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return super().bind_processor(dialect)

        # PostgreSQL (asyncpg) takes aware datetimes as they are: skip the decorator's layers
        # for values already in UTC (every value the framework writes itself).
        def process(value: Any) -> Any:
            if value is None or value.tzinfo is UTC:
                return value
            return self.process_bind_param(value, dialect)

        return process


class ExactDecimal(TypeDecorator[Decimal]):
    """``NUMERIC(p, s)`` on PostgreSQL; on SQLite a REAL read back through ``str`` so that
    values with up to 15 significant digits round-trip exactly and still sort numerically."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 6) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Float())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return float(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value.normalize() if value == value.to_integral() else value
        return Decimal(repr(float(value)))


def json_type() -> TypeEngine[Any]:
    """JSON everywhere, JSONB on PostgreSQL."""
    return JSON().with_variant(JSONB(), "postgresql")
