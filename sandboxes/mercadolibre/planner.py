"""Scenario plans: for one purchase, the whole timeline of steps, with every id and amount decided up front.

`SCENARIOS` is the one table of what can happen to a purchase, with its weight in random draws. Delays
are simulated time. The longest plan is shorter than 30 days, which `builder.py` relies on to finish
historical orders before the live start.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Final

from sandboxes.mercadolibre.clock import DAY, HOUR, MINUTE, SECOND
from sandboxes.mercadolibre.model import Line
from sandboxes.mercadolibre.steps import Step
from sandboxes.mercadolibre.steps_after import CloseClaim, OpenClaim, PartialRefund, ShipmentStatus
from sandboxes.mercadolibre.steps_order import (
    ApprovePayments,
    CancelOrder,
    CreateOrders,
    OrderSpec,
    RefundToBalance,
    RejectPayment,
)
from sandboxes.mercadolibre.steps_split import SplitPack, SplitPart
from sandboxes.mercadolibre.world import World

MAX_PLAN_MS: Final = 30 * DAY


class Planner:
    """Draws plans for one seller. All randomness comes from the `rng` it is given."""

    def __init__(self, world: World, rng: random.Random, seller_id: int, buyer_id: int | None = None) -> None:
        self.world, self.rng, self.seller_id, self.buyer_id = world, rng, seller_id, buyer_id
        self.site = world.site_of(seller_id)
        self.grain = Decimal("0.01") if self.site.cents else Decimal(1)

    def random_scenario(self) -> str:
        names = list(SCENARIOS)
        return self.rng.choices(names, weights=[SCENARIOS[n][0] for n in names])[0]

    def plan(self, scenario: str, t0: int) -> list[Step]:
        return SCENARIOS[scenario][1](self, t0)

    # --- building blocks -----------------------------------------------------------------------------
    def later(self, at: int, low: int, high: int) -> int:
        return at + self.rng.randint(low // SECOND, high // SECOND) * SECOND + self.rng.randint(0, 999)

    def purchase(self, t0: int, orders: int = 1, buyer_id: int | None = None) -> CreateOrders:
        ids = self.world.ids
        buyer = buyer_id or self.buyer_id or self.rng.choice(self.world.buyers[self.seller_id])
        specs = tuple(
            OrderSpec(ids.next("order"), buyer, self.lines(), ids.next("payment"), self.shipping_cost(i))
            for i in range(orders)
        )
        pack = ids.next("pack") if orders > 1 else None
        return CreateOrders(t0, self.seller_id, ids.next("shipment"), pack, specs)

    def lines(self) -> tuple[Line, ...]:
        items = self.rng.sample(self.world.items[self.seller_id], k=1 if self.rng.random() < 0.8 else 2)
        result = []
        for item in items:
            fee = (item.price * Decimal("0.13")).quantize(Decimal("0.01"))
            result.append(Line(item, 1 if self.rng.random() < 0.85 else 2, item.price, fee))
        return tuple(result)

    def shipping_cost(self, index: int) -> Decimal:
        if index > 0 or self.rng.random() < 0.7:
            return Decimal(0)
        return (self.site.min_price * 2).quantize(Decimal("0.01"))

    def part(self, create: CreateOrders, low: float, high: float) -> Decimal:
        spec = create.orders[0]
        share = Decimal(str(round(self.rng.uniform(low, high), 2)))
        return ((spec.total + spec.shipping_cost) * share).quantize(self.grain)

    def happy(self, create: CreateOrders, skip_shipped: bool = False, after: int | None = None) -> list[Step]:
        """create -> paid -> ready_to_ship -> shipped -> delivered (payment `after` a given time)."""
        pay = self.later(create.at if after is None else after, 20 * SECOND, 90 * MINUTE)
        ready = self.later(pay, 2 * HOUR, 30 * HOUR)
        shipped = self.later(ready, 4 * HOUR, 48 * HOUR)
        delivered = self.later(shipped, 1 * DAY, 5 * DAY)
        orders = tuple(spec.order_id for spec in create.orders)
        steps: list[Step] = [create, ApprovePayments(pay, orders)]
        steps.append(ShipmentStatus(ready, create.shipment_id, "ready_to_ship"))
        if not skip_shipped:
            steps.append(ShipmentStatus(shipped, create.shipment_id, "shipped"))
        steps.append(ShipmentStatus(delivered, create.shipment_id, "delivered"))
        return steps

    def paid(self, create: CreateOrders) -> list[Step]:
        pay = self.later(create.at, 20 * SECOND, 90 * MINUTE)
        return [create, ApprovePayments(pay, tuple(spec.order_id for spec in create.orders))]

    def claim(self, steps: list[Step], create: CreateOrders, kind: str, reason: str, amount: Decimal | None) -> None:
        opened = self.later(steps[-1].at, 1 * DAY, 10 * DAY)
        claim_id = self.world.ids.next("claim")
        reason_id = "PNR3430" if kind == "mediations" and self.rng.random() < 0.5 else "PDD9939"
        steps.append(OpenClaim(opened, create.orders[0].order_id, claim_id, kind, reason_id))
        refund_id = self.world.ids.next("refund") if reason in ("payment_refunded", "partial_refunded") else None
        steps.append(CloseClaim(self.later(opened, 1 * DAY, 7 * DAY), claim_id, reason, refund_id, amount))


# --- scenarios -------------------------------------------------------------------------------------------
def _delivered(p: Planner, t0: int) -> list[Step]:
    return p.happy(p.purchase(t0))


def _delivered_direct(p: Planner, t0: int) -> list[Step]:
    return p.happy(p.purchase(t0), skip_shipped=True)


def _unpaid(p: Planner, t0: int) -> list[Step]:
    return [p.purchase(t0)]


def _cancel_unpaid(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    return [create, CancelOrder(p.later(t0, 1 * HOUR, 3 * DAY), create.orders[0].order_id, 0)]


def _pay_retry(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    order_id, retry_id = create.orders[0].order_id, p.world.ids.next("payment")
    rejected = RejectPayment(p.later(t0, 10 * SECOND, 5 * MINUTE), order_id, retry_id)
    steps = p.happy(create, after=rejected.at)
    return [create, rejected, *steps[1:]]


def _cancel_paid(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    steps = p.paid(create)
    order_id, refund_id = create.orders[0].order_id, p.world.ids.next("refund")
    steps.append(
        CancelOrder(p.later(steps[-1].at, 1 * HOUR, 24 * HOUR), order_id, refund_id, "seller_cancel", "seller")
    )
    return steps


def _refund_balance(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0)
    steps = p.paid(create)
    order_id, refund_id = create.orders[0].order_id, p.world.ids.next("refund")
    steps.append(RefundToBalance(p.later(steps[-1].at, 1 * HOUR, 48 * HOUR), order_id, refund_id))
    return steps


def _partial_refunds(count: int) -> Callable[[Planner, int], list[Step]]:
    def build(p: Planner, t0: int) -> list[Step]:
        create = p.purchase(t0)
        steps = p.happy(create)
        for _ in range(count):
            at = p.later(steps[-1].at, 1 * DAY, 5 * DAY)
            amount = p.part(create, 0.1, 0.4)
            steps.append(PartialRefund(at, create.orders[0].order_id, p.world.ids.next("refund"), amount))
        return steps

    return build


def _claim(kind: str, reason: str) -> Callable[[Planner, int], list[Step]]:
    def build(p: Planner, t0: int) -> list[Step]:
        create = p.purchase(t0)
        steps = p.happy(create)
        amount = p.part(create, 0.3, 0.6) if reason == "partial_refunded" else None
        p.claim(steps, create, kind, reason, amount)
        return steps

    return build


def _pack(p: Planner, t0: int) -> list[Step]:
    return p.happy(p.purchase(t0, orders=p.rng.choice((2, 2, 3))))


def _pack_split(p: Planner, t0: int) -> list[Step]:
    create = p.purchase(t0, orders=2)
    steps = p.paid(create)
    ids = p.world.ids
    parts = tuple(
        SplitPart(spec.order_id, ids.next("order"), ids.next("payment"), ids.next("shipment")) for spec in create.orders
    )
    split_at = p.later(steps[-1].at, 30 * MINUTE, 6 * HOUR)
    steps.append(SplitPack(split_at, create.pack_id or 0, parts))
    for part in parts:
        ready = p.later(split_at, 2 * HOUR, 30 * HOUR)
        shipped = p.later(ready, 4 * HOUR, 48 * HOUR)
        steps.append(ShipmentStatus(ready, part.new_shipment_id, "ready_to_ship"))
        steps.append(ShipmentStatus(shipped, part.new_shipment_id, "shipped"))
        steps.append(ShipmentStatus(p.later(shipped, 1 * DAY, 5 * DAY), part.new_shipment_id, "delivered"))
    return steps


Builder = Callable[[Planner, int], list[Step]]
SCENARIOS: Final[dict[str, tuple[int, Builder]]] = {
    "delivered": (38, _delivered),
    "delivered_direct": (3, _delivered_direct),
    "unpaid": (3, _unpaid),
    "cancel_unpaid": (6, _cancel_unpaid),
    "pay_retry": (4, _pay_retry),
    "cancel_paid": (6, _cancel_paid),
    "refund_balance": (4, _refund_balance),
    "partial_refund": (4, _partial_refunds(1)),
    "two_partial_refunds": (3, _partial_refunds(2)),
    "claim_refund": (5, _claim("mediations", "payment_refunded")),
    "claim_return_refund": (3, _claim("return", "payment_refunded")),
    "claim_partial_refund": (3, _claim("mediations", "partial_refunded")),
    "claim_no_refund": (4, _claim("mediations", "worked_out_with_seller")),
    "claim_change": (2, _claim("change", "worked_out_with_seller")),
    "pack": (9, _pack),
    "pack_split": (3, _pack_split),
}
# A plan that only creates the purchase: everything else is triggered through the control API.
MANUAL: Final = "manual"
