"""Field types shared by the ML document models: ids as strings, money as Decimal, times as aware UTC.

ML sends ids as numbers in one place and strings in another, money as JSON numbers, and times with offsets
such as `-03:00`. Everything is normalised here, once; anything else is refused with a reason that pydantic
attaches to the field's location.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from connectors.errors import InvalidRecord

MONEY_LIMIT = Decimal(10) ** 12
QUANTITY_LIMIT = 1_000_000
_DIGITS = re.compile(r"[0-9]{1,20}", re.ASCII)
_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}", re.ASCII)


class MeliModel(BaseModel):
    """Base of every ML document model: read only the fields we use, never mutate."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def load_json(text: str | bytes) -> Any:
    """Parse JSON with floats read as exact Decimals (`0.1` stays `0.1`). Raises InvalidRecord."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise InvalidRecord("document", f"not valid JSON ({type(error).__name__})") from None


def plain_json(value: Any) -> Any:
    """A copy of a loaded document that the standard `json` module can dump (Decimals become floats).

    A float prints as the shortest text that reads back to it, so money of up to 15 digits keeps its text.
    """
    if isinstance(value, dict):
        return {str(key): plain_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(item) for item in value]
    if isinstance(value, Decimal):
        number = float(value)
        return number if math.isfinite(number) else str(value)
    return value


def describe(error: ValidationError, prefix: str) -> InvalidRecord:
    """The first problem of a pydantic error as an InvalidRecord naming the field (`order.buyer.id`)."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in (prefix, *first["loc"]))
    problem = "missing" if first["type"] == "missing" else str(first["msg"]).removeprefix("Value error, ")
    more = error.error_count() - 1
    return InvalidRecord(location, problem + (f" (and {more} more)" if more else ""))


def _meli_id(value: object) -> str:
    if isinstance(value, bool):
        raise ValueError("must be an id (number or string of digits)")
    if isinstance(value, int) and 0 <= value < 10**20:
        return str(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("must be an id (number or string of digits)")


def _item_id(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return _meli_id(value)
    if isinstance(value, str) and _CODE.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("must be an item id such as MLA1400123456")


def _money(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError("must be a number")
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValueError("must be a number") from None
    if not amount.is_finite():
        raise ValueError("must be a finite number")
    if amount < 0 or amount >= MONEY_LIMIT:
        raise ValueError(f"must be between 0 and {MONEY_LIMIT}")
    return amount


def _quantity(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= QUANTITY_LIMIT:
        raise ValueError(f"must be a whole number from 1 to {QUANTITY_LIMIT}")
    return value


def _utc_time(value: object) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("must be an ISO 8601 time") from None
    else:
        raise ValueError("must be an ISO 8601 time")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("must carry a time zone offset")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range in UTC") from None


def _tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(tag, str) for tag in value):
        return tuple(value)
    raise ValueError("must be a list of strings")


MeliId = Annotated[str, BeforeValidator(_meli_id)]
ItemId = Annotated[str, BeforeValidator(_item_id)]
Money = Annotated[Decimal, BeforeValidator(_money)]
Quantity = Annotated[int, BeforeValidator(_quantity)]
UtcTime = Annotated[datetime, BeforeValidator(_utc_time)]
Tags = Annotated[tuple[str, ...], BeforeValidator(_tags)]
