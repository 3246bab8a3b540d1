"""Which orders a notified resource concerns: an order names itself; a shipment carries one order or a pack's
several (the store knows, else ML's `/shipments/{id}/items`); a payment names its order; a claim is on an order,
a shipment or a payment; a Global Selling order is read where Global Selling documents it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.errors import RemoteNotFound
from connectors.mercadolibre.client import MlClient
from connectors.mercadolibre.constants import Kind
from connectors.mercadolibre.mapping.fetch_plan import linked_order_ids
from connectors.mercadolibre.payloads import Claim, parse_claim, parse_payment
from worker.pipeline.sync import Known, SyncTarget
from worker.store.db import Database
from worker.store.profiles import order_references_for_shipment


@dataclass(frozen=True)
class Resolved:
    """The orders a notified resource belongs to, and the notified claim (an order's claims search does not list
    claims on its shipment or payments, and is skipped when the order lists no claim, so the claim travels with
    its orders' sync)."""

    order_ids: list[str]
    claims: tuple[Any, ...] = ()  # raw claim documents: the notified claim travels with its orders' sync
    order: Any = None  # the order document when it was read to resolve (a Global Selling order)

    def known(self) -> Known:
        return Known(order=self.order, extra_claims=self.claims)


async def orders_for(
    db: Database, client: MlClient, target: SyncTarget, kind: Kind, resource_id: str, *, stored: bool = True
) -> Resolved:
    """The orders a notified resource belongs to (a pack's shipment belongs to several). `stored=False`: the
    caller already looked the shipment up in the store and found nothing."""
    if kind is Kind.ORDER:
        return Resolved([resource_id])
    if kind is Kind.MARKETPLACE_ORDER:
        return Resolved([resource_id], order=await client.marketplace_order(target.seller, resource_id))
    if kind is Kind.SHIPMENT:
        return Resolved(await _shipment_orders(db, client, target, resource_id, stored))
    if kind is Kind.PAYMENT:
        return Resolved(list(linked_order_ids(parse_payment(await client.payment(target.seller, resource_id)))))
    if kind is Kind.CLAIM:
        raw = await client.claim(target.seller, resource_id)
        claim = parse_claim(raw)
        return Resolved(await _claim_orders(db, client, target, claim), (raw,))
    raise RemoteNotFound(f"cannot resolve a {kind} to orders")


async def _shipment_orders(
    db: Database, client: MlClient, target: SyncTarget, shipment_id: str, stored: bool = True
) -> list[str]:
    known = await order_references_for_shipment(db, target.business_id, shipment_id) if stored else []
    if known:
        return known
    items = await client.shipment_items(target.seller, shipment_id)
    found = {str(item["order_id"]) for item in items if isinstance(item, dict) and item.get("order_id")}
    return sorted(found)


async def _claim_orders(db: Database, client: MlClient, target: SyncTarget, claim: Claim) -> list[str]:
    """A claim is on an order, on a shipment (every order it carries) or on a payment (the payment's order)."""
    if claim.resource == "shipment" and claim.resource_id is not None:
        return await _shipment_orders(db, client, target, claim.resource_id)
    if claim.resource == "payment" and claim.resource_id is not None:
        payment = parse_payment(await client.payment(target.seller, claim.resource_id))
        return list(linked_order_ids(payment))
    return list(linked_order_ids(claim))
