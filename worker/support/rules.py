"""The rule behind each action, one sentence each, as docs/event-mapping.md states it."""

from __future__ import annotations

from typing import Final

from connectors.events import Action

RULE_TEXT: Final[dict[Action, str]] = {
    Action.ORDER_CONFIRMED: (
        "a payment of the order was approved (it has date_approved); tracked at the earliest approval, "
        "amount = total paid by the approved payments"
    ),
    Action.ORDER_CANCELLED: (
        "the order is cancelled (not pack_splitted), or stays paid with tag unfulfilled (refunded to balance); "
        "tracked at cancel_detail.date, else last_updated; amount = order total"
    ),
    Action.ORDER_SHIPPED: (
        "the order's shipment is shipped or delivered; tracked at the first shipped (else delivered) entry of "
        "the shipment history; amount = order total"
    ),
    Action.ORDER_DELIVERED: (
        "opt-in: the order's shipment is delivered; tracked at the first delivered entry of the shipment history"
    ),
    Action.PRODUCT_PURCHASED: (
        "opt-in: one per item of a confirmed order, at the confirmation time; amount = unit_price x quantity"
    ),
    Action.REFUND_REQUESTED: (
        "a claim asking for money back (mediations, return(s), fulfillment, ml_case) is on the order; "
        "one per claim, tracked at the claim's date_created"
    ),
    Action.REFUND_RECEIVED: (
        "money went back to the buyer: one per entry of a payment's refunds[], tracked at the refund's "
        "date_created, amount = the refunded amount"
    ),
}


def rule_for(action: str) -> str:
    """The rule sentence of an action, or a plain note for an action the ML mapping never produces."""
    try:
        return RULE_TEXT[Action(action)]
    except (ValueError, KeyError):
        return "not produced by the Mercado Libre mapping"
