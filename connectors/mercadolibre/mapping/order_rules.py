"""Rules read from the order alone: `order.confirmed`, `product.purchased` (opt-in), `order.cancelled`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from connectors.events import Action, Event
from connectors.mercadolibre.mapping.bundle import MappingOptions, OrderBundle, OrderContext, Outcome
from connectors.mercadolibre.payloads import Order, OrderPayment


@dataclass(frozen=True)
class Confirmation:
    tracked_at: datetime
    amount: Decimal | None
    payments: tuple[OrderPayment, ...]


# Payment statuses that say the money was taken at some point, whatever happened after (Mercado Pago's
# vocabulary: a refunded, charged back or disputed payment was approved first).
WAS_APPROVED = frozenset({"approved", "refunded", "charged_back", "in_mediation"})


def approved_payments(order: Order) -> tuple[OrderPayment, ...]:
    """Payments that were approved at some point: they carry `date_approved`, or their status says so (ML's
    documented order example shows `status: approved` with no `date_approved`)."""
    return tuple(
        payment for payment in order.payments if payment.date_approved is not None or payment.status in WAS_APPROVED
    )


def confirmation(order: Order) -> Confirmation | None:
    """When and for how much the order was confirmed; None while no payment was approved.

    The time is the earliest approval: each approved payment's `date_approved`, or, when ML leaves it out, the
    order's `date_closed` (the date ML closed the sale). The amount is the order's `total_amount`, the same
    amount every order event carries.
    """
    approved = approved_payments(order)
    times = [payment.date_approved or order.date_closed for payment in approved]
    known = [moment for moment in times if moment is not None]
    if not known:
        return None
    return Confirmation(min(known), order_amount(order), approved)


def order_amount(order: Order) -> Decimal | None:
    """The sale's value: `total_amount` (the items, without shipping), else the sum of the items."""
    if order.total_amount is not None:
        return order.total_amount
    if not order.order_items:
        return None
    return sum((line.unit_price * line.quantity for line in order.order_items), Decimal(0))


def _undated(order: Order) -> list[str]:
    if approved_payments(order) and confirmation(order) is None:
        ids = ", ".join(payment.id for payment in approved_payments(order))
        return [f"order.confirmed: payment {ids} was approved but neither date_approved nor date_closed is known"]
    return []


SPLIT_TOLERANCE = timedelta(minutes=1)


def split_successor(bundle: OrderBundle) -> bool:
    """An order a pack split created: its sale was confirmed on the order it replaces, so it confirms nothing.

    ML links the new order's shipment to the cancelled one (`sibling`, tag `source_pack_split`). While the
    shipment is unknown, the order itself tells: its payment was approved before the order existed (the money
    was paid once, for the original order)."""
    if bundle.shipment is not None:
        return bundle.shipment.from_pack_split
    order = bundle.order
    approved = [payment.date_approved for payment in approved_payments(order)]
    created = order.date_created
    return (
        created is not None
        and bool(approved)
        and all(moment is not None and moment < created - SPLIT_TOLERANCE for moment in approved)
    )


def confirmed(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    found = confirmation(bundle.order)
    if found is None:
        return [], _undated(bundle.order)
    if split_successor(bundle):
        return [], []
    key = f"ml:order:{context.order_id}:confirmed"
    payment_ids = [payment.id for payment in found.payments]
    return [context.event(Action.ORDER_CONFIRMED, found.tracked_at, key, found.amount, payment_ids=payment_ids)], []


def product_purchased(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    found = confirmation(bundle.order)
    if not options.include_product_purchased or found is None or split_successor(bundle):
        return [], []
    events: list[Event] = []
    for line in bundle.order.order_items:
        item = line.item
        key = f"ml:order:{context.order_id}:item:{item.id}:{item.variation_id or 0}:purchased"
        amount = line.unit_price * line.quantity
        properties = {
            "item_id": item.id,
            "variation_id": item.variation_id,
            "title": item.title,
            "seller_sku": item.seller_sku,
            "quantity": line.quantity,
            "unit_price": str(line.unit_price),
        }
        events.append(context.event(Action.PRODUCT_PURCHASED, found.tracked_at, key, amount, **properties))
    return events, []


def cancellation_reason(order: Order) -> str | None:
    """`cancelled`, `invalid` (ML invalidated it), `unfulfilled` (refunded to balance, stays paid) or None (not
    cancelled for the buyer: a `pack_splitted` original lives on in the new orders; `pending_cancel` is not
    cancelled yet)."""
    code = order.cancel_detail.code if order.cancel_detail else None
    if order.status == "cancelled" and code != "pack_splitted":
        return "cancelled"
    if order.status == "invalid":
        return "invalid"
    if order.status == "paid" and "unfulfilled" in order.tags:
        return "unfulfilled"
    return None


def cancelled(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    order = bundle.order
    reason = cancellation_reason(order)
    if reason is None:
        return [], []
    detail = order.cancel_detail
    tracked_at = (detail.date if detail else None) or order.last_updated
    if tracked_at is None:
        return [], ["order.cancelled: neither cancel_detail.date nor last_updated is known"]
    key = f"ml:order:{context.order_id}:cancelled"
    code = detail.code if detail else None
    event = context.event(
        Action.ORDER_CANCELLED, tracked_at, key, context.total_amount, cancel_reason=reason, cancel_code=code
    )
    return [event], []
