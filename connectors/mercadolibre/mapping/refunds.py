"""Money going back: `refund.requested` (from claims), `refund.received` (from payments' refunds)."""

from __future__ import annotations

from connectors.events import Action, Event
from connectors.mercadolibre.mapping.bundle import MappingOptions, OrderBundle, OrderContext, Outcome
from connectors.mercadolibre.mapping.order_rules import cancellation_reason
from connectors.mercadolibre.payloads import Order, OrderPayment

REFUND_CLAIM_TYPES = frozenset({"mediations", "return", "returns", "fulfillment", "ml_case"})
REFUNDED_STATUSES = frozenset({"refunded", "partially_refunded"})


def refund_requested(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    events: list[Event] = []
    problems: list[str] = []
    for claim in bundle.claims or ():
        if claim.order_id != context.order_id or claim.type not in REFUND_CLAIM_TYPES:
            continue
        if claim.date_created is None:
            problems.append(f"refund.requested: claim {claim.id} has no date_created")
            continue
        event = context.event(
            Action.REFUND_REQUESTED,
            claim.date_created,
            f"ml:claim:{claim.id}:requested",
            None,
            claim_id=claim.id,
            claim_type=claim.type,
            claim_status=claim.status,
            claim_stage=claim.stage,
            claim_reason_id=claim.reason_id,
        )
        events.append(event)
    return events, problems


def refund_received(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    """One event per entry of a payment's `refunds[]`: the one place refunds are counted."""
    payments = bundle.payments or {}
    problems = [
        f"refund.received: payment {payment.id} shows a refund but its document was not fetched"
        for payment in refunded_payments(bundle.order)
        if payment.id not in payments
    ]
    events: list[Event] = []
    for payment_id in sorted(payments):
        payment = payments[payment_id]
        for refund in payment.refunds:
            event = context.event(
                Action.REFUND_RECEIVED,
                refund.date_created,
                f"ml:refund:{refund.id}",
                refund.amount,
                refund_id=refund.id,
                payment_id=payment.id,
            )
            events.append(event)
    return events, problems


def _shows_refund(payment: OrderPayment) -> bool:
    refunded = payment.transaction_amount_refunded
    return (
        (refunded is not None and refunded > 0)
        or payment.status in REFUNDED_STATUSES
        or payment.status_detail in REFUNDED_STATUSES
    )


def _order_shows_refund(order: Order) -> bool:
    """Cancelled for the buyer (not `pack_splitted`), refunded to balance, or partially refunded."""
    return cancellation_reason(order) is not None or order.status == "partially_refunded"


def refunded_payments(order: Order) -> tuple[OrderPayment, ...]:
    """The order's payments whose full document may list refunds: a payment that shows a refund itself, or
    every approved payment of an order that was cancelled, partially refunded or refunded to balance."""
    everything = _order_shows_refund(order)
    return tuple(
        payment
        for payment in order.payments
        if _shows_refund(payment) or (everything and payment.date_approved is not None)
    )
