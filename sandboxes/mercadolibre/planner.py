"""Building blocks of scenario plans: purchases, payment, the shipment's path, claims, with every id and
amount decided up front. The scenarios themselves (and their weights) are in `scenarios.py`.

Delays are simulated time. The longest plan is shorter than 30 days, which `builder.py` relies on to finish
historical orders before the live start.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Final

from sandboxes.mercadolibre.clock import DAY, HOUR, MINUTE, SECOND
from sandboxes.mercadolibre.model import Line
from sandboxes.mercadolibre.steps import Step
from sandboxes.mercadolibre.steps_claims import REFUND_REASONS, CloseClaim, EscalateClaim, OpenClaim
from sandboxes.mercadolibre.steps_order import CreateOrders, OrderSpec
from sandboxes.mercadolibre.steps_payment import ApprovePayments
from sandboxes.mercadolibre.steps_shipment import DELIVERED, PATHS, ShipmentStatus, State
from sandboxes.mercadolibre.world import World

MAX_PLAN_MS: Final = 30 * DAY
# How long after the previous state a shipment reaches each state (low, high).
DELAYS: Final[dict[State, tuple[int, int]]] = {
    ("ready_to_ship", "printed"): (10 * MINUTE, 6 * HOUR),
    ("ready_to_ship", "dropped_off"): (1 * HOUR, 24 * HOUR),
    ("ready_to_ship", "picked_up"): (2 * HOUR, 24 * HOUR),
    ("ready_to_ship", "in_hub"): (2 * HOUR, 12 * HOUR),
    ("ready_to_ship", "packed"): (30 * MINUTE, 6 * HOUR),
    ("shipped", "out_for_delivery"): (4 * HOUR, 24 * HOUR),
    ("shipped", "receiver_absent"): (1 * HOUR, 6 * HOUR),
    ("shipped", None): (4 * HOUR, 36 * HOUR),
    DELIVERED: (1 * DAY, 5 * DAY),
}
READY: Final = (2 * HOUR, 30 * HOUR)  # from payment to the first ready_to_ship state


class Planner:
    """Draws plans for one seller. All randomness comes from the `rng` it is given."""

    def __init__(self, world: World, rng: random.Random, seller_id: int, buyer_id: int | None = None) -> None:
        self.world, self.rng, self.seller_id, self.buyer_id = world, rng, seller_id, buyer_id
        self.site = world.site_of(seller_id)
        self.grain = Decimal("0.01") if self.site.cents else Decimal(1)
        self.deck: list[str] = []  # scenario names still to deal (see scenarios.next_scenario)

    # --- time, ids, amounts --------------------------------------------------------------------------
    def later(self, at: int, low: int, high: int) -> int:
        return at + self.rng.randint(low // SECOND, high // SECOND) * SECOND + self.rng.randint(0, 999)

    def next_id(self, kind: str) -> int:
        return self.world.ids.next(kind)

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

    # --- steps ------------------------------------------------------------------------------------------
    def purchase(
        self, t0: int, orders: int = 1, logistic_type: str = "drop_off", shipped: bool = True, status: str = ""
    ) -> CreateOrders:
        ids = self.world.ids
        buyer = self.buyer_id or self.rng.choice(self.world.buyers[self.seller_id])
        specs = tuple(
            OrderSpec(ids.next("order"), buyer, self.lines(), ids.next("payment"), self.shipping_cost(i))
            for i in range(orders)
        )
        shipment = ids.next("shipment") if shipped else None
        pack = ids.next("pack")
        return CreateOrders(t0, self.seller_id, shipment, pack, specs, logistic_type, status or "payment_required")

    def pay(self, create: CreateOrders, after: int | None = None) -> ApprovePayments:
        at = self.later(create.at if after is None else after, 20 * SECOND, 90 * MINUTE)
        return ApprovePayments(at, tuple(spec.order_id for spec in create.orders))

    def ship(self, shipment_id: int, logistic_type: str, after: int, until: State = DELIVERED) -> list[Step]:
        """The shipment's documented path from `handling` to `until` (Flex sometimes finds nobody home)."""
        steps: list[Step] = []
        at = after
        for state in PATHS[logistic_type][1:]:
            if state == ("shipped", "receiver_absent") and self.rng.random() < 0.7:
                continue
            low, high = DELAYS.get(state, READY) if steps else READY
            if logistic_type == "self_service" and state == DELIVERED:
                low, high = 1 * HOUR, 8 * HOUR
            at = self.later(at, low, high)
            steps.append(ShipmentStatus(at, shipment_id, state[0], state[1]))
            if state == until:
                break
        return steps

    def happy(self, create: CreateOrders, direct: bool = False, after: int | None = None) -> list[Step]:
        """create -> paid -> the shipment's path to delivered (`direct`: from ready_to_ship to delivered)."""
        pay = self.pay(create, after)
        if create.shipment_id is None:
            return [create, pay]
        path = self.ship(create.shipment_id, create.logistic_type, pay.at)
        if direct:
            path = [path[0], ShipmentStatus(self.later(path[0].at, 1 * DAY, 5 * DAY), create.shipment_id, "delivered")]
        return [create, pay, *path]

    def claim(
        self,
        steps: list[Step],
        target: tuple[str, int],
        kind: str,
        reason: str,
        *,
        amount: Decimal | None = None,
        payments: int = 1,
    ) -> None:
        """Open a claim on `target` (resource, id) after the plan so far, maybe escalate it, then close it
        (`amount`: of a partial refund; `payments`: how many payments a full refund covers)."""
        resource, resource_id = target
        opened_at = self.later(steps[-1].at, 1 * DAY, 7 * DAY)
        claim_id = self.next_id("claim")
        not_received = resource == "shipment" or (kind == "mediations" and self.rng.random() < 0.5)
        reason_id = "PNR3430" if not_received else "PDD9939"
        returned = kind in ("return", "returns")
        return_ids = (self.next_id("return"), self.next_id("return_shipment")) if returned else (None, None)
        opened = OpenClaim(opened_at, claim_id, resource_id, resource, kind, reason_id, *return_ids)
        steps.append(opened)
        if self.rng.random() < 0.4:
            steps.append(EscalateClaim(self.later(opened_at, 1 * DAY, 3 * DAY), claim_id))
        refund_ids = tuple(self.next_id("refund") for _ in range(payments)) if reason in REFUND_REASONS else ()
        close_at = self.later(steps[-1].at, 1 * DAY, 5 * DAY)
        steps.append(CloseClaim(close_at, claim_id, reason, refund_ids, amount))
