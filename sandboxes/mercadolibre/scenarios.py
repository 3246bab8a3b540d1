"""Scenario plans: for one purchase, the whole timeline of steps (built with `planner.Planner`).

`SCENARIOS` is the one table of what can happen to a purchase, with its weight. Random draws deal from a
shuffled deck holding each scenario `weight` times (a new deck when it runs out), so proportions follow the
weights and a run of `DECK` purchases (the weights add up to fewer than 200) sees every scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Final

from sandboxes.mercadolibre.clock import DAY, HOUR, MINUTE, SECOND
from sandboxes.mercadolibre.planner import Planner
from sandboxes.mercadolibre.steps import Step
from sandboxes.mercadolibre.steps_cancel import (
    CancelOrder,
    CompleteCancel,
    InvalidateOrder,
    PendingCancel,
    RefundToBalance,
)
from sandboxes.mercadolibre.steps_money import Chargeback, PartialRefund, SettleRefund
from sandboxes.mercadolibre.steps_payment import PaymentInProcess, PayPartially, RejectPayment
from sandboxes.mercadolibre.steps_shipment import OUTSIDE_ME, RETURNED, RETURNING, ShipmentStatus, first_shipped
from sandboxes.mercadolibre.steps_split import SplitPack, SplitPart

Builder = Callable[[Planner, int], list[Step]]
SELLER: Final = ("seller_cancel", "seller")  # cancel code and group of a cancellation by the seller


def _delivered(logistic_type: str, direct: bool = False) -> Builder:
    return lambda p, t0: p.happy(p.purchase(t0, logistic_type=logistic_type), direct=direct)


def _unpaid(p: Planner, t0: int) -> list[Step]:
    return [p.purchase(t0, status=p.rng.choice(("confirmed", "payment_required")))]


def _cancel_unpaid(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    return [create, CancelOrder(p.later(t0, 1 * HOUR, 3 * DAY), create.orders[0].order_id, 0)]


def _pay_retry(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    rejected = RejectPayment(p.later(t0, 10 * SECOND, 5 * MINUTE), create.orders[0].order_id, p.next_id("payment"))
    return [create, rejected, *p.happy(create, after=rejected.at)[1:]]


def _in_process(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0, logistic_type="cross_docking", status="confirmed")
    review = PaymentInProcess(p.later(t0, 1 * MINUTE, 2 * HOUR), create.orders[0].order_id)
    return [create, review, *p.happy(create, after=p.later(review.at, 1 * HOUR, 20 * HOUR))[1:]]


def _partially_paid(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    spec = create.orders[0]
    part = (spec.total * Decimal("0.4")).quantize(p.grain)
    first = PayPartially(p.later(t0, 1 * MINUTE, 1 * HOUR), spec.order_id, part, p.next_id("payment"))
    return [create, first, *p.happy(create, after=p.later(first.at, 1 * HOUR, 2 * DAY))[1:]]


def _after_payment(build: Callable[[Planner, int, int], Step]) -> Builder:
    """Paid, then one step on the order a while later (cancel, refund to balance, invalidate...)."""

    def plan(p: Planner, t0: int) -> list[Step]:
        create = p.purchase(t0)
        pay = p.pay(create)
        return [create, pay, build(p, p.later(pay.at, 1 * HOUR, 24 * HOUR), create.orders[0].order_id)]

    return plan


def _pending_cancel(p: Planner, t0: int) -> list[Step]:
    steps = _after_payment(lambda p, at, oid: PendingCancel(at, oid, p.next_id("refund")))(p, t0)
    pending = steps[-1]
    assert isinstance(pending, PendingCancel)
    steps.append(CompleteCancel(p.later(pending.at, 1 * DAY, 4 * DAY), pending.order_id, pending.refund_id))
    return steps


def _refunds(statuses: tuple[str, ...], settle: str | None = None) -> Builder:
    """Delivered, then partial refunds (approved or in process), the last maybe settled later."""

    def build(p: Planner, t0: int) -> list[Step]:
        create = p.purchase(t0)
        steps = p.happy(create)
        order_id, refund_id = create.orders[0].order_id, 0
        for status in statuses:
            refund_id = p.next_id("refund")
            at = p.later(steps[-1].at, 1 * DAY, 5 * DAY)
            steps.append(PartialRefund(at, order_id, refund_id, p.part(create, 0.1, 0.4), status))
        if settle is not None:
            steps.append(SettleRefund(p.later(steps[-1].at, 2 * HOUR, 3 * DAY), order_id, refund_id, settle))
        return steps

    return build


def _chargeback(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    steps = p.happy(create)
    detail = p.rng.choice(("in_process", "reimbursed", "settled"))
    steps.append(Chargeback(p.later(steps[-1].at, 1 * DAY, 10 * DAY), create.orders[0].order_id, detail))
    return steps


def _claim(kind: str, reason: str, logistic_type: str = "drop_off") -> Builder:
    def build(p: Planner, t0: int) -> list[Step]:
        create = p.purchase(t0, logistic_type=logistic_type)
        steps = p.happy(create)
        amount = p.part(create, 0.3, 0.6) if reason == "partial_refunded" else None
        p.claim(steps, ("order", create.orders[0].order_id), kind, reason, amount=amount)
        return steps

    return build


def _claim_on_shipment(p: Planner, t0: int) -> list[Step]:
    """A cart of two shipped; the buyer says it never arrived (PNR claim on the shipment); both refunded."""
    create = p.purchase(t0, orders=2)
    shipment_id = create.shipment_id or 0
    pay = p.pay(create)
    steps: list[Step] = [
        create,
        pay,
        *p.ship(shipment_id, create.logistic_type, pay.at, until=first_shipped("drop_off")),
    ]
    p.claim(steps, ("shipment", shipment_id), "mediations", "payment_refunded", payments=2)
    return steps


def _claim_on_payment(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    steps = p.happy(create)
    amount = p.part(create, 0.2, 0.5)
    p.claim(steps, ("payment", create.orders[0].payment_id), "mediations", "partial_refunded", amount=amount)
    return steps


def _pack(p: Planner, t0: int) -> list[Step]:
    return p.happy(p.purchase(t0, orders=p.rng.choice((2, 2, 3)), logistic_type="cross_docking"))


def _pack_split(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0, orders=2)
    pay = p.pay(create)
    parts = tuple(
        SplitPart(spec.order_id, p.next_id("order"), p.next_id("pack"), p.next_id("shipment")) for spec in create.orders
    )
    split = SplitPack(p.later(pay.at, 30 * MINUTE, 6 * HOUR), create.pack_id, parts)
    steps: list[Step] = [create, pay, split]
    for part in parts:
        steps.extend(p.ship(part.new_shipment_id, create.logistic_type, split.at))
    return steps


def _not_delivered(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0, logistic_type="xd_drop_off")
    shipment_id = create.shipment_id or 0
    pay = p.pay(create)
    steps: list[Step] = [create, pay, *p.ship(shipment_id, create.logistic_type, pay.at, until=("shipped", None))]
    returning = ShipmentStatus(p.later(steps[-1].at, 2 * DAY, 6 * DAY), shipment_id, *RETURNING)
    returned = ShipmentStatus(p.later(returning.at, 1 * DAY, 4 * DAY), shipment_id, *RETURNED)
    return [*steps, returning, returned]


def _shipped_outside_me(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    shipment_id = create.shipment_id or 0
    pay = p.pay(create)
    steps: list[Step] = [
        create,
        pay,
        *p.ship(shipment_id, create.logistic_type, pay.at, until=("ready_to_ship", "ready_to_print")),
    ]
    return [*steps, ShipmentStatus(p.later(steps[-1].at, 6 * HOUR, 3 * DAY), shipment_id, *OUTSIDE_ME)]


def _no_shipping(p: Planner, t0: int) -> list[Step]:
    return p.happy(p.purchase(t0, shipped=False))


SCENARIOS: Final[dict[str, tuple[int, Builder]]] = {
    "delivered": (20, _delivered("drop_off")),
    "delivered_cross_docking": (8, _delivered("cross_docking")),
    "delivered_xd_drop_off": (5, _delivered("xd_drop_off")),
    "delivered_fulfillment": (5, _delivered("fulfillment")),
    "delivered_flex": (4, _delivered("self_service")),
    "delivered_direct": (2, _delivered("drop_off", direct=True)),
    "unpaid": (3, _unpaid),
    "cancel_unpaid": (4, _cancel_unpaid),
    "pay_retry": (3, _pay_retry),
    "payment_in_process": (3, _in_process),
    "partially_paid": (2, _partially_paid),
    "cancel_paid": (4, _after_payment(lambda p, at, oid: CancelOrder(at, oid, p.next_id("refund"), *SELLER))),
    "pending_cancel": (2, _pending_cancel),
    "invalid": (2, _after_payment(lambda p, at, oid: InvalidateOrder(at, oid, p.next_id("refund")))),
    "refund_balance": (3, _after_payment(lambda p, at, oid: RefundToBalance(at, oid, p.next_id("refund")))),
    "partial_refund": (3, _refunds(("approved",))),
    "two_partial_refunds": (2, _refunds(("approved", "approved"))),
    "refund_in_process": (2, _refunds(("in_process",), settle="approved")),
    "refund_rejected": (2, _refunds(("in_process",), settle="rejected")),
    "chargeback": (2, _chargeback),
    "claim_refund": (3, _claim("mediations", "payment_refunded")),
    "claim_return_refund": (3, _claim("return", "payment_refunded")),
    "claim_partial_refund": (2, _claim("mediations", "partial_refunded")),
    "claim_no_refund": (2, _claim("mediations", "worked_out_with_seller")),
    "claim_change": (1, _claim("change", "worked_out_with_seller")),
    "claim_cancel_purchase": (1, _claim("cancel_purchase", "payment_refunded")),
    "claim_cancel_sale": (1, _claim("cancel_sale", "payment_refunded")),
    "claim_fulfillment": (1, _claim("fulfillment", "payment_refunded", "fulfillment")),
    "claim_on_shipment": (2, _claim_on_shipment),
    "claim_on_payment": (1, _claim_on_payment),
    "pack": (6, _pack),
    "pack_split": (3, _pack_split),
    "not_delivered": (2, _not_delivered),
    "shipped_outside_me": (1, _shipped_outside_me),
    "no_shipping": (2, _no_shipping),
}  # fmt: skip
DECK: Final = sum(weight for weight, _ in SCENARIOS.values())
# A plan that only creates the purchase: everything else is triggered through the control API.
MANUAL: Final = "manual"


def next_scenario(planner: Planner) -> str:
    """Deal the next scenario from the planner's deck (a freshly shuffled one when it is empty)."""
    if not planner.deck:
        planner.deck = [name for name, (weight, _) in SCENARIOS.items() for _ in range(weight)]
        planner.rng.shuffle(planner.deck)
    return planner.deck.pop()


def plan(planner: Planner, scenario: str, t0: int) -> list[Step]:
    planner.world.scenarios[scenario] += 1
    return SCENARIOS[scenario][1](planner, t0)
