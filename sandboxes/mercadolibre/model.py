"""The sandbox's resources, as plain mutable records. Times are epoch ms (simulated), money is Decimal.

Each resource keeps the rendered JSON bytes of its current revision in `cache`; whoever changes a resource
calls `touch`, which moves `last_updated` and drops the cache. Rendering lives in `render*.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(slots=True)
class User:
    id: int
    nickname: str
    site_id: str
    registration_ms: int
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    login: str | None = None
    is_seller: bool = False
    cache: bytes | None = None
    public_cache: bytes | None = None


@dataclass(slots=True, frozen=True)
class Item:
    id: str
    title: str
    price: Decimal
    sku: str
    variation_id: int | None


@dataclass(slots=True, frozen=True)
class Line:
    item: Item
    quantity: int
    unit_price: Decimal
    sale_fee: Decimal


@dataclass(slots=True, frozen=True)
class Refund:
    id: int
    payment_id: int
    amount: Decimal
    created_ms: int


@dataclass(slots=True)
class Payment:
    id: int
    order_id: int
    payer_id: int
    collector_id: int
    site_id: str
    currency_id: str
    reason: str
    transaction_amount: Decimal
    shipping_cost: Decimal
    created_ms: int
    modified_ms: int
    status: str = "pending"
    status_detail: str = "pending_waiting_payment"
    approved_ms: int | None = None
    refunds: list[Refund] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    method: str = "visa"
    installments: int = 1
    cache: bytes | None = None

    @property
    def total_paid_amount(self) -> Decimal:
        return self.transaction_amount + self.shipping_cost

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal(0))

    def touch(self, at: int) -> None:
        self.modified_ms = max(self.modified_ms, at)
        self.cache = None


@dataclass(slots=True, frozen=True)
class CancelDetail:
    group: str
    code: str
    description: str
    requested_by: str
    date_ms: int


@dataclass(slots=True)
class Order:
    id: int
    seller_id: int
    buyer_id: int
    site_id: str
    currency_id: str
    created_ms: int
    updated_ms: int
    lines: list[Line]
    total_amount: Decimal
    payment_ids: list[int]
    shipment_id: int | None
    pack_id: int | None
    status: str = "payment_required"
    closed_ms: int | None = None
    tags: list[str] = field(default_factory=list)
    cancel_detail: CancelDetail | None = None
    claim_ids: list[int] = field(default_factory=list)
    cache: bytes | None = None

    def touch(self, at: int) -> None:
        self.updated_ms = max(self.updated_ms, at)
        self.cache = None

    @property
    def terminal(self) -> bool:
        """Cancelled or refunded to balance: nothing more happens to the order."""
        return self.status == "cancelled" or "unfulfilled" in self.tags


@dataclass(slots=True, frozen=True)
class StatusEntry:
    status: str
    substatus: str | None
    date_ms: int


@dataclass(slots=True)
class Shipment:
    id: int
    seller_id: int
    receiver_id: int
    site_id: str
    order_ids: list[int]
    created_ms: int
    updated_ms: int
    logistic_type: str
    declared_value: Decimal
    shipping_cost: Decimal
    status: str = "pending"
    substatus: str | None = None
    history: list[StatusEntry] = field(default_factory=list)
    cache_new: bytes | None = None
    cache_legacy: bytes | None = None

    def set_status(self, status: str, substatus: str | None, at: int) -> None:
        self.status, self.substatus = status, substatus
        self.history.append(StatusEntry(status, substatus, at))
        self.updated_ms = max(self.updated_ms, at)
        self.cache_new = self.cache_legacy = None


@dataclass(slots=True, frozen=True)
class Resolution:
    reason: str
    date_ms: int
    benefited: str
    closed_by: str


@dataclass(slots=True)
class Claim:
    id: int
    order_id: int
    seller_id: int
    buyer_id: int
    site_id: str
    type: str
    reason_id: str
    created_ms: int
    updated_ms: int
    payment_id: int | None
    pack_id: int | None
    status: str = "opened"
    stage: str = "claim"
    resolution: Resolution | None = None
    cache: bytes | None = None
