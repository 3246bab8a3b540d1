"""Column types that behave the same on SQLite and PostgreSQL.

* `UTCDateTime`: refuses naive datetimes, stores UTC (timestamptz on PostgreSQL), returns aware UTC.
* `Money`: exact decimals: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a float).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from connectors.errors import InvalidRecord
from connectors.events import MONEY_DECIMALS, require_decimal

MONEY_SCALE = MONEY_DECIMALS


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidRecord("datetime", f"naive datetime {value.isoformat()}; times must carry a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    impl = Numeric(18, MONEY_SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(18, MONEY_SCALE))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = require_decimal("amount", value)
        assert exact is not None
        return str(canonical_money(exact)) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else canonical_money(Decimal(value))


CENTS = Decimal("0.01")


def canonical_money(value: Decimal) -> Decimal:
    """One spelling per amount on both databases: at least two decimals, no trailing zeros beyond them."""
    if value == value.quantize(CENTS):
        return value.quantize(CENTS)
    return value.normalize()
