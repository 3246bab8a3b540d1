"""Rules read from the order alone: `order.confirmed`, `product.purchased` (opt-in), `order.cancelled`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from connectors.events import Action, Event
from connectors.mercadolibre.mapping.bundle import MappingOptions, OrderBundle, OrderContext, Outcome
from connectors.mercadolibre.payloads import Order, OrderPayment


@dataclass(frozen=True)
class Confirmation:
    tracked_at: datetime
    amount: Decimal | None
    payments: tuple[OrderPayment, ...]


def approved_payments(order: Order) -> tuple[OrderPayment, ...]:
    """Payments that were approved at some point: they carry `date_approved`, whatever happened after."""
    return tuple(payment for payment in order.payments if payment.date_approved is not None)


def confirmation(order: Order) -> Confirmation | None:
    """When and for how much the order was confirmed; None while no payment was approved.

    The contract's fallback to `date_closed` cannot apply: a payment counts as approved only when it carries
    `date_approved`, so the earliest of those always exists.
    """
    approved = approved_payments(order)
    times = [payment.date_approved for payment in approved if payment.date_approved is not None]
    if not times:
        return None
    paid = [_paid(payment) for payment in approved]
    known = [amount for amount in paid if amount is not None]
    return Confirmation(min(times), sum(known, Decimal(0)) if known else None, approved)


def _paid(payment: OrderPayment) -> Decimal | None:
    if payment.total_paid_amount is not None:
        return payment.total_paid_amount
    return payment.transaction_amount


def confirmed(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    found = confirmation(bundle.order)
    if found is None:
        return [], []
    key = f"ml:order:{context.order_id}:confirmed"
    payment_ids = [payment.id for payment in found.payments]
    return [context.event(Action.ORDER_CONFIRMED, found.tracked_at, key, found.amount, payment_ids=payment_ids)], []


def product_purchased(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    found = confirmation(bundle.order)
    if not options.include_product_purchased or found is None:
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
    """`cancelled`, `unfulfilled` (refunded to balance, stays paid) or None (not cancelled for the buyer)."""
    code = order.cancel_detail.code if order.cancel_detail else None
    if order.status == "cancelled" and code != "pack_splitted":
        return "cancelled"
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
