"""The sandbox's people, orders and payments, as plain mutable records. Times are epoch ms (simulated), money
is Decimal. Shipments live in `model_shipment.py`, claims and returns in `model_claim.py`.

Each resource keeps the rendered JSON bytes of its current revision in `cache`; whoever changes a resource
calls `touch`, which moves `last_updated` and drops the cache. Rendering lives in `render*.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final


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
    global_selling: bool = False  # a Global Selling (cross-border) seller: `marketplace_*` notifications
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


# Mercado Pago refund statuses (MP reference, "Get refunds list"): money went back only once `approved`.
REFUND_STATUSES: Final = ("approved", "in_process", "rejected", "cancelled")


@dataclass(slots=True)
class Refund:
    id: int
    payment_id: int
    amount: Decimal
    created_ms: int
    status: str = "approved"


@dataclass(slots=True)
class Payment:
    """A Mercado Pago payment. `order_id` is the order it was made for, kept when a pack split hands the
    payment on to a new order; `holders` are the orders that embed it (that one, plus the split's successor).
    After a chargeback nothing changes on it any more (`touch` is a no-op)."""

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
    holders: list[int] = field(default_factory=list)
    method: str = "visa"
    payment_type: str = "credit_card"
    installments: int = 1
    cache: bytes | None = None

    @property
    def total_paid_amount(self) -> Decimal:
        return self.transaction_amount + self.shipping_cost

    @property
    def refunded(self) -> Decimal:
        """Money actually returned: the approved refunds only."""
        return sum((r.amount for r in self.refunds if r.status == "approved"), Decimal(0))

    @property
    def committed(self) -> Decimal:
        """Money returned or on its way back (approved and in-process refunds)."""
        return sum((r.amount for r in self.refunds if r.status in ("approved", "in_process")), Decimal(0))

    @property
    def charged_back(self) -> bool:
        return self.status == "charged_back"

    def touch(self, at: int) -> None:
        if self.charged_back:
            return  # the chargeback step dated it; nothing moves after
        self.modified_ms = max(self.modified_ms, at)
        self.cache = None


@dataclass(slots=True, frozen=True)
class CancelDetail:
    group: str
    code: str
    description: str
    requested_by: str
    date_ms: int


# Order statuses of ML's "Gerenciar orders" (ORD, FINDINGS (h)).
ORDER_STATUSES: Final = (
    "confirmed", "payment_required", "payment_in_process", "partially_paid", "paid",
    "partially_refunded", "pending_cancel", "cancelled", "invalid",
)  # fmt: skip
AWAITING_PAYMENT: Final = frozenset({"confirmed", "payment_required", "payment_in_process", "partially_paid"})
PAID: Final = frozenset({"paid", "partially_refunded"})


@dataclass(slots=True)
class Order:
    """`pack_id` is set on every order (a single order is a pack of its own, PACK); `cart` marks the orders
    of a multi-order cart (tag `pack_order`). `shipment_id` None = no Mercado Envíos shipment (`no_shipping`)."""

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
    pack_id: int
    cart: bool = False
    status: str = "payment_required"
    closed_ms: int | None = None
    tags: list[str] = field(default_factory=list)
    cancel_detail: CancelDetail | None = None
    claim_ids: list[int] = field(default_factory=list)
    cache: bytes | None = None

    def touch(self, at: int) -> None:
        self.updated_ms = max(self.updated_ms, at)
        self.cache = None

    def retag(self, *tags: str) -> None:
        """Tags = what the order is (`pack_order`, `no_shipping`) + what happened to it (`paid`, ...)."""
        base = (["pack_order"] if self.cart else []) + (["no_shipping"] if self.shipment_id is None else [])
        self.tags = base + list(tags)

    @property
    def terminal(self) -> bool:
        """Cancelled, invalidated or refunded to balance: nothing more happens to the order."""
        return self.status in ("cancelled", "invalid") or "unfulfilled" in self.tags
