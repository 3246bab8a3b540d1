"""Transitions after payment: shipment progress, partial refunds, claims opened and closed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Final

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import Claim, Resolution
from sandboxes.mercadolibre.steps import (
    InvalidTransition,
    approved_payment,
    live_order,
    order_changed,
    refund,
    require,
    shipment_status,
)
from sandboxes.mercadolibre.world import World

# status -> statuses it may move to, with the substatus ML shows on arrival.
SHIPMENT_MOVES: Final[dict[str, dict[str, str | None]]] = {
    "handling": {"ready_to_ship": "ready_to_print"},
    "ready_to_ship": {"shipped": None, "delivered": None},
    "shipped": {"delivered": None},
}
REFUND_REASONS: Final = frozenset({"payment_refunded", "partial_refunded"})


@dataclass(slots=True, frozen=True)
class ShipmentStatus:
    """The shipment moves on (`ready_to_ship`, `shipped`, `delivered`); delivery also retags its orders."""

    name: ClassVar[str] = "shipment"
    at: int
    shipment_id: int
    status: str

    def order_ids(self, world: World) -> tuple[int, ...]:
        shipment = world.shipments.get(self.shipment_id)
        return tuple(shipment.order_ids) if shipment else ()

    def apply(self, world: World, at: int) -> None:
        shipment = world.shipments.get(self.shipment_id)
        if shipment is None:
            raise InvalidTransition(f"shipment {self.shipment_id} does not exist yet")
        moves = SHIPMENT_MOVES.get(shipment.status, {})
        require(self.status in moves, f"shipment {shipment.id} cannot go {shipment.status} -> {self.status}")
        shipment_status(world, shipment, self.status, moves[self.status], at)
        if self.status == "delivered":
            for order_id in shipment.order_ids:
                order = world.orders[order_id]
                order.tags = [t for t in order.tags if t != "not_delivered"] + ["delivered"]
                order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class PartialRefund:
    """Part of the payment goes back to the buyer (a refund entry); the order stays `paid`."""

    name: ClassVar[str] = "partial_refund"
    at: int
    order_id: int
    refund_id: int
    amount: Decimal

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = live_order(world, self.order_id)
        require(order.status == "paid", f"order {order.id} is not paid")
        payment = approved_payment(world, order)
        require(payment.status == "approved", f"payment {payment.id} is {payment.status}")
        refund(world, order, payment, self.refund_id, self.amount, at)
        order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class OpenClaim:
    """The buyer opens a claim on the order (`type` e.g. mediations, return, cancel_purchase)."""

    name: ClassVar[str] = "open_claim"
    at: int
    order_id: int
    claim_id: int
    type: str = "mediations"
    reason_id: str = "PDD9939"

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = live_order(world, self.order_id)
        require(order.status == "paid", f"order {order.id} is not paid")
        require(self.claim_id not in world.claims, f"claim {self.claim_id} already exists")
        for claim_id in order.claim_ids:
            require(world.claims[claim_id].status == "closed", f"order {order.id} already has an open claim")
        claim = Claim(
            id=self.claim_id,
            order_id=order.id,
            seller_id=order.seller_id,
            buyer_id=order.buyer_id,
            site_id=order.site_id,
            type=self.type,
            reason_id=self.reason_id,
            created_ms=at,
            updated_ms=at,
            payment_id=approved_payment(world, order).id,
            pack_id=order.pack_id,
        )
        world.add_claim(claim)
        order.claim_ids.append(claim.id)
        world.record(FactKind.CLAIM_OPENED, at, order.seller_id, order_id=order.id, ref_id=claim.id, detail=claim.type)
        _claim_changed(world, claim, at)
        order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class CloseClaim:
    """The claim is resolved; with `payment_refunded`/`partial_refunded` money goes back (`refund_id`)."""

    name: ClassVar[str] = "close_claim"
    at: int
    claim_id: int
    reason: str
    refund_id: int | None = None
    amount: Decimal | None = None

    def order_ids(self, world: World) -> tuple[int, ...]:
        claim = world.claims.get(self.claim_id)
        return (claim.order_id,) if claim else ()

    def apply(self, world: World, at: int) -> None:
        claim = world.claims.get(self.claim_id)
        if claim is None:
            raise InvalidTransition(f"claim {self.claim_id} does not exist yet")
        require(claim.status == "opened", f"claim {claim.id} is already closed")
        refunds = self.reason in REFUND_REASONS
        require(not refunds or self.refund_id is not None, "a refund resolution needs a refund id")
        order = world.orders[claim.order_id]
        if refunds and self.refund_id is not None:
            amount = None if self.reason == "payment_refunded" else self.amount
            refund(world, order, approved_payment(world, order), self.refund_id, amount, at)
        benefited = "complainant" if refunds else "respondent"
        closed_by = "respondent" if refunds else "mediator"
        claim.status, claim.stage = "closed", "none"
        claim.resolution = Resolution(self.reason, at, benefited, closed_by)
        world.record(FactKind.CLAIM_CLOSED, at, claim.seller_id, order_id=order.id, ref_id=claim.id, detail=self.reason)
        _claim_changed(world, claim, at)
        if refunds:
            order_changed(world, order, at)


def _claim_changed(world: World, claim: Claim, at: int) -> None:
    claim.updated_ms = max(claim.updated_ms, at)
    claim.cache = None
    world.emit("post_purchase", f"/post-purchase/v1/claims/{claim.id}", claim.seller_id, at, ("claims",))
