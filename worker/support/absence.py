"""Why an event of the contract is absent for an order: a pure function over the parsed documents.

`absences(bundle)` maps the bundle exactly as the live path does, and for every action of
docs/event-mapping.md that produced nothing it says why, in the contract's words ("no approved payment yet
(payment 123 is pending)", "shipment 456 is ready_to_ship", ...). No database, no network, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from connectors.events import Action
from connectors.mercadolibre.mapping import MappingOptions, OrderBundle, map_order
from connectors.mercadolibre.mapping.order import relevant_documents
from connectors.mercadolibre.mapping.order_rules import approved_payments, cancellation_reason, split_successor
from connectors.mercadolibre.mapping.refunds import REFUND_CLAIM_TYPES, claim_concerns, refunded_payments
from connectors.mercadolibre.mapping.shipping import went_out
from connectors.mercadolibre.payloads import Payment


@dataclass(frozen=True)
class Absence:
    action: str
    reason: str

    def __str__(self) -> str:
        return f"no {self.action}: {self.reason}"


def _confirmed(bundle: OrderBundle) -> str:
    payments = bundle.order.payments
    if not payments:
        return "the order has no payment yet"
    if approved_payments(bundle.order) and split_successor(bundle):
        return "a pack split created this order: its sale was confirmed on the order it replaces"
    if approved_payments(bundle.order):
        return "a payment was approved but neither its date_approved nor the order's date_closed is known"
    states = ", ".join(f"payment {payment.id} is {payment.status or 'of unknown status'}" for payment in payments)
    return f"no approved payment yet ({states})"


def _product_purchased(bundle: OrderBundle) -> str:
    if not approved_payments(bundle.order):
        return "the order is not confirmed (no approved payment)"
    return "the order has no readable item"


def _cancelled(bundle: OrderBundle) -> str:
    order = bundle.order
    code = order.cancel_detail.code if order.cancel_detail else None
    if order.status == "cancelled" and code == "pack_splitted":
        return "cancelled with pack_splitted: ML split the pack into new orders, nothing was cancelled for the buyer"
    if cancellation_reason(order) is not None:
        return "the order is cancelled but neither cancel_detail.date nor last_updated is known"
    if order.status == "pending_cancel":
        return "the order is pending_cancel: ML is still returning the money; the event comes once it is cancelled"
    return f"the order is {order.status}, not cancelled"


def _shipment_reason(bundle: OrderBundle, delivery: bool) -> str:
    shipment_id = bundle.order.shipment_id
    shipment = bundle.shipment
    if shipment_id is None:
        return "the order has no Mercado Envíos shipment"
    if shipment is None:
        return f"shipment {shipment_id} was not fetched"
    state = f"{shipment.status}/{shipment.substatus}" if shipment.substatus else shipment.status
    if delivery and shipment.status != "delivered":
        return f"shipment {shipment_id} is {state}, not delivered"
    if not delivery and not went_out(shipment):
        return f"shipment {shipment_id} is {state}: the goods have not left the seller"
    if bundle.shipment_history is None:
        return f"shipment {shipment_id} is {state} but its history was not fetched"
    return f"shipment {shipment_id} is {state} but its history shows no {'delivery' if delivery else 'hand-over'}"


def _refund_requested(bundle: OrderBundle) -> str:
    order = bundle.order
    if bundle.claims is None:
        if not approved_payments(order):
            return "claims are looked up once a payment is approved, and none is"
        return "the order's claims were not fetched"
    own = [claim for claim in bundle.claims if claim_concerns(claim, order)]
    if not own:
        return "no claim on the order, its payments or its shipment"
    asking = [claim for claim in own if claim.type in REFUND_CLAIM_TYPES]
    if not asking:
        kinds = ", ".join(f"claim {claim.id} is {claim.type or 'untyped'}" for claim in own)
        return f"no claim asks for money back ({kinds})"
    return ", ".join(f"claim {claim.id} has no date_created" for claim in asking)


def _refund_received(bundle: OrderBundle) -> str:
    payments = bundle.payments or {}
    missing = [payment.id for payment in refunded_payments(bundle.order) if payment.id not in payments]
    if missing:
        return f"payment {', '.join(missing)} shows a refund but its document was not fetched"
    if payments:
        listed = ", ".join(_refunds_of(payments[payment_id]) for payment_id in sorted(payments))
        return f"no money returned on payments ({listed})"
    return "no refunds on payments (none of the order's payments shows a refund)"


def _refunds_of(payment: Payment) -> str:
    if not payment.refunds:
        return f"payment {payment.id} lists no refund"
    states = ", ".join(f"refund {refund.id} is {refund.status}" for refund in payment.refunds)
    return f"payment {payment.id}: {states}"


# In the order of docs/event-mapping.md (and of the mapping's RULES).
REASONS: Final[dict[Action, Callable[[OrderBundle], str]]] = {
    Action.ORDER_CONFIRMED: _confirmed,
    Action.PRODUCT_PURCHASED: _product_purchased,
    Action.ORDER_CANCELLED: _cancelled,
    Action.ORDER_SHIPPED: lambda bundle: _shipment_reason(bundle, delivery=False),
    Action.ORDER_DELIVERED: lambda bundle: _shipment_reason(bundle, delivery=True),
    Action.REFUND_REQUESTED: _refund_requested,
    Action.REFUND_RECEIVED: _refund_received,
}


def _expected(action: Action, options: MappingOptions) -> bool:
    if action is Action.ORDER_DELIVERED:
        return options.include_delivered
    if action is Action.PRODUCT_PURCHASED:
        return options.include_product_purchased
    return True


def absences(bundle: OrderBundle, options: MappingOptions | None = None) -> list[Absence]:
    """Every contract action (opt-in extras only when enabled) the documents give no event for, with why.

    Raises InvalidRecord, like `map_order`, when the order itself cannot be represented."""
    options = options or MappingOptions()
    produced = {event.action for event in map_order(bundle, options).events}
    relevant, _ = relevant_documents(bundle)  # the documents the mapping looked at
    return [
        Absence(action.value, reason(relevant))
        for action, reason in REASONS.items()
        if action not in produced and _expected(action, options)
    ]
