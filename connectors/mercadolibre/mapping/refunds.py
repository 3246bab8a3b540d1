"""Money going back: `refund.requested` (from claims), `refund.received` (from payments' refunds)."""

from __future__ import annotations

from decimal import Decimal

from connectors.events import Action, Event
from connectors.mercadolibre.mapping.bundle import MappingOptions, OrderBundle, OrderContext, Outcome, Pending
from connectors.mercadolibre.mapping.order_rules import cancellation_reason
from connectors.mercadolibre.payloads import Claim, Order, OrderPayment, Payment

# Claims in which the buyer asks for money back (ML's "Gestionar reclamos" types): not `cancel_sale` (the seller
# cancels), `change` (an exchange) or `service`.
REFUND_CLAIM_TYPES = frozenset({"mediations", "return", "returns", "fulfillment", "ml_case", "cancel_purchase"})
REFUNDED_STATUSES = frozenset({"refunded", "partially_refunded"})


def claim_concerns(claim: Claim, order: Order) -> bool:
    """A claim is on the order itself, on its shipment, or on one of its payments."""
    if claim.resource_id is None:
        return False
    if claim.resource == "order":
        return claim.resource_id == order.id
    if claim.resource == "shipment":
        return claim.resource_id == order.shipment_id
    if claim.resource == "payment":
        return any(payment.id == claim.resource_id for payment in order.payments)
    return False


def _requested_key(claim: Claim, order_id: str) -> str:
    """One request per claim; a claim on a shipment concerns every order the shipment carries, one each."""
    if claim.resource == "shipment":
        return f"ml:claim:{claim.id}:order:{order_id}:requested"
    return f"ml:claim:{claim.id}:requested"


def refund_requested(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    events: list[Event] = []
    problems: list[str] = []
    for claim in bundle.claims or ():
        if not claim_concerns(claim, bundle.order) or claim.type not in REFUND_CLAIM_TYPES:
            continue
        if claim.date_created is None:
            problems.append(f"refund.requested: claim {claim.id} has no date_created")
            continue
        event = context.event(
            Action.REFUND_REQUESTED,
            claim.date_created,
            _requested_key(claim, context.order_id),
            None,
            claim_id=claim.id,
            claim_type=claim.type,
            claim_status=claim.status,
            claim_stage=claim.stage,
            claim_reason_id=claim.reason_id,
            claim_resource=claim.resource,
        )
        events.append(event)
    return events, problems


def refund_received(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    """One event per approved entry of a payment's `refunds[]`: the one place refunds are counted."""
    payments = bundle.payments or {}
    problems: list[str] = [
        Pending(f"refund.received: payment {payment.id} shows a refund but its document was not fetched")
        for payment in refunded_payments(bundle.order)
        if payment.id not in payments
    ]
    events: list[Event] = []
    for payment_id in sorted(payments):
        payment = payments[payment_id]
        if payment.order_id is not None and payment.order_id != context.order_id:
            continue  # a payment shared after a pack split: its refunds belong to the order it names
        problems += refund_gaps(payment)
        for refund in payment.refunds_received:
            key = f"ml:refund:{refund.id}"
            extra = {"refund_id": refund.id, "payment_id": payment.id}
            events.append(context.event(Action.REFUND_RECEIVED, refund.date_created, key, refund.amount, **extra))
        events += chargeback(payment, context)
    return events, problems


def chargeback(payment: Payment, context: OrderContext) -> list[Event]:
    """A charged-back payment gave the buyer their money back through the card issuer: one refund.received
    for what the approved refunds had not returned yet, at the chargeback (the payment's last change: nothing
    changes on a payment after it). Mercado Pago status `charged_back`, whatever its status_detail."""
    if payment.status != "charged_back" or payment.date_last_updated is None:
        return []
    returned = sum((refund.amount for refund in payment.refunds_received), Decimal(0))
    amount = (payment.transaction_amount or Decimal(0)) - returned
    if amount <= 0:
        return []
    key = f"ml:chargeback:{payment.id}"
    detail = payment.status_detail
    event = context.event(
        Action.REFUND_RECEIVED, payment.date_last_updated, key, amount, payment_id=payment.id, chargeback=detail
    )
    return [event]


def refund_gaps(payment: Payment) -> list[str]:
    """What the payment's refunds do not tell yet: refunds still in process, or money shown as refunded that
    no approved entry accounts for. Either way the payment is fetched again later."""
    gaps: list[str] = [
        Pending(f"refund.received: refund {refund.id} of payment {payment.id} is {refund.status}")
        for refund in payment.refunds
        if not refund.settled
    ]
    listed = sum((refund.amount for refund in payment.refunds_received), Decimal(0))
    shown = payment.transaction_amount_refunded or Decimal(0)
    if shown > listed or (payment.status == "refunded" and not payment.refunds_received):
        gaps.append(
            Pending(
                f"refund.received: payment {payment.id} shows {shown} refunded but its approved refunds "
                f"add up to {listed}"
            )
        )
    return gaps


def _shows_refund(payment: OrderPayment) -> bool:
    refunded = payment.transaction_amount_refunded
    return (
        (refunded is not None and refunded > 0)
        or payment.status in REFUNDED_STATUSES
        or payment.status_detail in REFUNDED_STATUSES
        or payment.status == "charged_back"
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
