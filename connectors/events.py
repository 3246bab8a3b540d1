"""Our event vocabulary: what every connector's mapping produces and the store accepts.

Actions follow Hellotext's description of actions and events: `<kind>.<verb>`, an event links an action to a
subscriber (the customer) at the moment it happened at the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from connectors.errors import InvalidRecord


class Action(StrEnum):
    CART_ADDED = "cart.added"
    CART_REMOVED = "cart.removed"
    ORDER_PLACED = "order.placed"
    ORDER_CONFIRMED = "order.confirmed"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_SHIPPED = "order.shipped"
    ORDER_DELIVERED = "order.delivered"
    PRODUCT_PURCHASED = "product.purchased"
    PRODUCT_VIEWED = "product.viewed"
    COUPON_REDEEMED = "coupon.redeemed"
    REFUND_REQUESTED = "refund.requested"
    REFUND_RECEIVED = "refund.received"
    PAGE_VIEWED = "page.viewed"
    APP_INSTALLED = "app.installed"
    APP_REMOVED = "app.removed"
    APP_SPENT = "app.spent"
    FORM_COMPLETED = "form.completed"


class Origin(StrEnum):
    """How an event first reached us."""

    LIVE = "live"  # a webhook notification
    MISSED_FEED = "missed_feed"  # a notification ML failed to deliver, read back from its missed feeds
    RECONCILE = "reconcile"
    BACKFILL = "backfill"
    REPLAY = "replay"


MONEY_DECIMALS = 4
MONEY_LIMIT = Decimal(10) ** 14


def parse_action(value: str) -> Action:
    try:
        return Action(value)
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise InvalidRecord("action", f"{value!r} is not a known action (known: {known})") from None


def require_aware(field_name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidRecord(field_name, "naive datetime; times must carry a time zone")
    return value


def require_decimal(field_name: str, value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidRecord(field_name, f"money must be Decimal, got {type(value).__name__}")
    exact = Decimal(value)
    exponent = exact.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -MONEY_DECIMALS or abs(exact) >= MONEY_LIMIT:
        raise InvalidRecord(field_name, f"{exact} is not an amount (finite, below 10^14, at most 4 decimals)")
    return exact


@dataclass(frozen=True)
class Subscriber:
    """The customer an event is about, as the source knows them."""

    external_id: str
    source: str
    nickname: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Event:
    """One tracked action. `dedupe_key` derives from the source snapshot: equal states give equal keys."""

    action: Action
    subscriber_external_id: str
    tracked_at: datetime
    dedupe_key: str
    order_reference: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parse_action(str(self.action))
        require_aware("tracked_at", self.tracked_at)
        require_decimal("amount", self.amount)
        if not self.dedupe_key:
            raise InvalidRecord("dedupe_key", "must not be empty")


@dataclass(frozen=True)
class OrderItem:
    item_id: str
    title: str
    quantity: int
    unit_price: Decimal
    seller_sku: str | None = None
    variation_id: str | None = None


@dataclass(frozen=True)
class OrderSnapshot:
    """The order object events point to, as of the source's `updated_at`."""

    reference: str
    source: str
    status: str
    updated_at: datetime
    currency: str | None = None
    total_amount: Decimal | None = None
    paid_amount: Decimal | None = None
    items: tuple[OrderItem, ...] = ()
    pack_id: str | None = None
    shipment_id: str | None = None
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_aware("updated_at", self.updated_at)
        if self.created_at is not None:
            require_aware("created_at", self.created_at)
        require_decimal("total_amount", self.total_amount)
        require_decimal("paid_amount", self.paid_amount)
        if not self.reference:
            raise InvalidRecord("reference", "must not be empty")
