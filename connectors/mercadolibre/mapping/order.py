"""`map_order`: one order's documents → subscriber, order object and events, per docs/event-mapping.md."""

from __future__ import annotations

from dataclasses import replace

from connectors.errors import InvalidRecord
from connectors.events import Action, Event, OrderItem, OrderSnapshot, Subscriber
from connectors.mercadolibre.constants import SOURCE
from connectors.mercadolibre.mapping.bundle import (
    MappingOptions,
    MappingResult,
    OrderBundle,
    OrderContext,
    Pending,
    Rule,
)
from connectors.mercadolibre.mapping.order_rules import cancelled, confirmed, order_amount, product_purchased
from connectors.mercadolibre.mapping.refunds import refund_received, refund_requested
from connectors.mercadolibre.mapping.shipping import delivered, shipped
from connectors.mercadolibre.payloads import Order

# One rule per row of the contract, in the order their events are listed.
RULES: tuple[Rule, ...] = (
    confirmed,
    product_purchased,
    cancelled,
    shipped,
    delivered,
    refund_requested,
    refund_received,
)
# The actions those rules can produce (order.delivered and product.purchased only when MappingOptions asks).
EMITTED_ACTIONS: tuple[str, ...] = tuple(
    action.value
    for action in (
        Action.ORDER_CONFIRMED,
        Action.PRODUCT_PURCHASED,
        Action.ORDER_CANCELLED,
        Action.ORDER_SHIPPED,
        Action.ORDER_DELIVERED,
        Action.REFUND_REQUESTED,
        Action.REFUND_RECEIVED,
    )
)


def map_order(bundle: OrderBundle, options: MappingOptions | None = None) -> MappingResult:
    """Pure: the same documents always give the same result. Raises InvalidRecord only when the order
    itself cannot be represented (it has no time at all)."""
    options = options or MappingOptions()
    order = bundle.order
    bundle, problems = relevant_documents(bundle)
    problems = [*order.item_problems, *problems]
    context = order_context(order)
    events: list[Event] = []
    for rule in RULES:
        found, notes = rule(bundle, context, options)
        events.extend(found)
        problems.extend(notes)
    return MappingResult(
        subscriber=subscriber(order),
        order=snapshot(bundle),
        events=first_per_key(events),
        problems=[_prefixed(order.id, problem) for problem in problems],
    )


def relevant_documents(bundle: OrderBundle) -> tuple[OrderBundle, list[str]]:
    """Drop related documents that belong to another order (they would give that order's events here)."""
    order = bundle.order
    problems: list[str] = []
    shipment = bundle.shipment
    if shipment is not None and shipment.id != order.shipment_id:
        problems.append(f"shipment {shipment.id} is not this order's shipment; ignored")
        shipment = None
    payments = bundle.payments
    if payments is not None:
        own = {payment.id for payment in order.payments}
        payments = {key: doc for key, doc in payments.items() if doc.id in own or doc.order_id == order.id}
    return replace(bundle, shipment=shipment, payments=payments), problems


def _prefixed(order_id: str, problem: str) -> str:
    text = f"order {order_id}: {problem}"
    return Pending(text) if isinstance(problem, Pending) else text


def order_context(order: Order) -> OrderContext:
    properties = {"ml_order_id": order.id, "pack_id": order.pack_id, "seller_id": order.seller_id}
    return OrderContext(
        order_id=order.id,
        buyer_id=order.buyer.id,
        currency=order.currency_id,
        total_amount=order_amount(order),
        properties={**properties, "status": order.status},
    )


def first_per_key(events: list[Event]) -> list[Event]:
    seen: set[str] = set()
    unique: list[Event] = []
    for event in events:
        if event.dedupe_key not in seen:
            seen.add(event.dedupe_key)
            unique.append(event)
    return unique


def subscriber(order: Order) -> Subscriber:
    buyer = order.buyer
    return Subscriber(
        external_id=buyer.id,
        source=SOURCE,
        nickname=buyer.nickname,
        first_name=buyer.first_name,
        last_name=buyer.last_name,
        email=buyer.email,
        phone=buyer.phone,
    )


def snapshot(bundle: OrderBundle) -> OrderSnapshot:
    order = bundle.order
    if order.updated_at is None:
        raise InvalidRecord("order.last_updated", "missing, and the order has no date_closed or date_created")
    items = tuple(
        OrderItem(
            item_id=line.item.id,
            title=line.item.title or "",
            quantity=line.quantity,
            unit_price=line.unit_price,
            seller_sku=line.item.seller_sku,
            variation_id=line.item.variation_id,
        )
        for line in order.order_items
    )
    return OrderSnapshot(
        reference=order.id,
        source=SOURCE,
        status=order.status,
        updated_at=order.updated_at,
        currency=order.currency_id,
        total_amount=order.total_amount,
        paid_amount=order.paid_amount,
        items=items,
        pack_id=order.pack_id,
        shipment_id=order.shipment_id,
        created_at=order.date_created,
        raw=dict(bundle.raw) if bundle.raw is not None else {},
    )
