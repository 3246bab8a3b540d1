"""Claims: opened on an order, a shipment or a payment, escalated to a dispute, closed (with money back or not).

Types, stages, resources, players and resolutions as ML's "Gestionar reclamos" (CLAIM,
https://developers.mercadolibre.com.ve/es_ar/que-es-un-reclamo): stage `claim` -> `dispute` (a mediator
joins) -> closed (stage `none`). A claim of type `return`/`returns` opens a return (RET,
https://developers.mercadolibre.com.ve/es_ar/gestionar-devoluciones) and lists "return" in
`related_entities`. Claim notifications are topic `post_purchase`, `actions: ["claims"]` (NOTIF).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Final

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import PAID, Order, Payment
from sandboxes.mercadolibre.model_claim import Claim, Resolution, Return, ReturnShipment
from sandboxes.mercadolibre.steps import (
    InvalidTransition,
    approved_payment,
    order_changed,
    paid_order,
    require,
)
from sandboxes.mercadolibre.steps_money import refund
from sandboxes.mercadolibre.world import World

REFUND_REASONS: Final = frozenset({"payment_refunded", "partial_refunded"})
RETURN_TYPES: Final = frozenset({"return", "returns"})


def claim_changed(world: World, claim: Claim, at: int) -> None:
    claim.touch(at)
    world.emit("post_purchase", f"/post-purchase/v1/claims/{claim.id}", claim.seller_id, at, ("claims",))


def _orders(world: World, resource: str, resource_id: int) -> tuple[list[Order], Payment | None]:
    """The paid orders a claim on this resource concerns, and the payment it is about (if any)."""
    if resource == "order":
        order = paid_order(world, resource_id)
        return [order], approved_payment(world, order)
    if resource == "shipment":
        shipment = world.shipments.get(resource_id)
        require(shipment is not None, f"shipment {resource_id} does not exist yet")
        assert shipment is not None
        require(shipment.handed_over_ms is not None, f"shipment {shipment.id} never left the seller")
        return [paid_order(world, oid) for oid in shipment.order_ids], None
    if resource == "payment":
        payment = world.payments.get(resource_id)
        require(payment is not None and payment.status == "approved", f"payment {resource_id} is not approved")
        assert payment is not None
        return [world.orders[payment.order_id]], payment
    raise InvalidTransition(f"a claim cannot be on a {resource}")


@dataclass(slots=True, frozen=True)
class OpenClaim:
    """The buyer opens a claim on an order, a shipment (e.g. PNR "not received") or a payment."""

    name: ClassVar[str] = "open_claim"
    at: int
    claim_id: int
    resource_id: int
    resource: str = "order"
    type: str = "mediations"
    reason_id: str = "PDD9939"
    return_id: int | None = None
    return_shipment_id: int | None = None

    def order_ids(self, world: World) -> tuple[int, ...]:
        claim = world.claims.get(self.claim_id)
        return claim.order_ids if claim else ((self.resource_id,) if self.resource == "order" else ())

    def apply(self, world: World, at: int) -> None:
        require(self.claim_id not in world.claims, f"claim {self.claim_id} already exists")
        orders, payment = _orders(world, self.resource, self.resource_id)
        for claim in world.seller_claims[orders[0].seller_id]:
            same = (claim.resource, claim.resource_id) == (self.resource, self.resource_id)
            require(not same or claim.status == "closed", f"{self.resource} {self.resource_id} has an open claim")
        first = orders[0]
        claim = self._claim(orders, payment, at)
        world.add_claim(claim)
        single = None if self.resource == "shipment" else first.id
        world.record(
            FactKind.CLAIM_OPENED,
            at,
            claim.seller_id,
            order_id=single,
            ref_id=claim.id,
            detail=claim.type,
            order_ids=() if single else claim.order_ids,
            resource=claim.resource,
        )
        claim_changed(world, claim, at)
        if self.resource == "order":
            first.claim_ids.append(claim.id)
            order_changed(world, first, at)

    def _claim(self, orders: list[Order], payment: Payment | None, at: int) -> Claim:
        first = orders[0]
        claim = Claim(
            id=self.claim_id,
            resource=self.resource,
            resource_id=self.resource_id,
            order_ids=tuple(o.id for o in orders),
            seller_id=first.seller_id,
            buyer_id=first.buyer_id,
            site_id=first.site_id,
            type=self.type,
            reason_id=self.reason_id,
            created_ms=at,
            updated_ms=at,
            payment_id=payment.id if payment else None,
            pack_id=first.pack_id,
        )
        if self.type in RETURN_TYPES and self.return_id is not None:
            shipment = ReturnShipment(self.return_shipment_id or 0, "pending")
            claim.return_ = Return(self.return_id, claim.id, first.id, at, at, shipment)
        return claim


def _open_claim(world: World, claim_id: int) -> Claim:
    claim = world.claims.get(claim_id)
    if claim is None:
        raise InvalidTransition(f"claim {claim_id} does not exist yet")
    require(claim.status == "opened", f"claim {claim.id} is already closed")
    return claim


@dataclass(slots=True, frozen=True)
class EscalateClaim:
    """Buyer and seller did not agree: the claim goes to `dispute` and a Mercado Libre mediator joins."""

    name: ClassVar[str] = "escalate_claim"
    at: int
    claim_id: int

    def order_ids(self, world: World) -> tuple[int, ...]:
        claim = world.claims.get(self.claim_id)
        return claim.order_ids if claim else ()

    def apply(self, world: World, at: int) -> None:
        claim = _open_claim(world, self.claim_id)
        require(claim.stage == "claim", f"claim {claim.id} is in stage {claim.stage}")
        claim.stage, claim.disputed = "dispute", True
        world.record(FactKind.CLAIM_ESCALATED, at, claim.seller_id, ref_id=claim.id, resource=claim.resource)
        claim_changed(world, claim, at)


def _refunded_payments(world: World, claim: Claim) -> list[Payment]:
    if claim.resource == "payment":
        return [world.payments[claim.resource_id]]
    return [approved_payment(world, world.orders[oid]) for oid in claim.order_ids]


@dataclass(slots=True, frozen=True)
class CloseClaim:
    """The claim is resolved; with `payment_refunded` every payment it concerns is refunded in full (one
    refund id each), with `partial_refunded` its one payment gives back `amount`."""

    name: ClassVar[str] = "close_claim"
    at: int
    claim_id: int
    reason: str
    refund_ids: tuple[int, ...] = ()
    amount: Decimal | None = None

    def order_ids(self, world: World) -> tuple[int, ...]:
        claim = world.claims.get(self.claim_id)
        return claim.order_ids if claim else ()

    def apply(self, world: World, at: int) -> None:
        claim = _open_claim(world, self.claim_id)
        refunds = self.reason in REFUND_REASONS
        payments = _refunded_payments(world, claim) if refunds else []
        require(len(self.refund_ids) == len(payments), f"{self.reason} needs {len(payments)} refund id(s)")
        require(self.reason != "partial_refunded" or len(payments) == 1, "a partial refund is on one payment")
        amount = self.amount if self.reason == "partial_refunded" else None
        for payment, refund_id in zip(payments, self.refund_ids, strict=True):
            refund(world, payment, refund_id, amount, at, "approved")
        benefited = "complainant" if refunds else "respondent"
        closed_by = "mediator" if claim.disputed else ("respondent" if refunds else "mediator")
        claim.status, claim.stage = "closed", "none"
        claim.resolution = Resolution(self.reason, at, benefited, closed_by)
        _close_return(claim, refunds, at)
        world.record(FactKind.CLAIM_CLOSED, at, claim.seller_id, ref_id=claim.id, detail=self.reason)
        claim_changed(world, claim, at)
        if refunds:
            self._orders_changed(world, claim, at)

    def _orders_changed(self, world: World, claim: Claim, at: int) -> None:
        for order_id in claim.order_ids:
            order = world.orders[order_id]
            if self.reason == "partial_refunded" and order.status in PAID and not order.terminal:
                order.status = "partially_refunded"
            order_changed(world, order, at)


def _close_return(claim: Claim, refunded: bool, at: int) -> None:
    """The return ends with the claim: delivered back and refunded, or cancelled with the money released."""
    ret = claim.return_
    if ret is None:
        return
    ret.status, ret.status_money = ("delivered", "refunded") if refunded else ("cancelled", "available")
    ret.shipment.status = "delivered" if refunded else "cancelled"
    ret.closed_ms = ret.updated_ms = at
