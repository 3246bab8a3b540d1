"""Control API: trigger one transition on an order, or advance the planned scenario (see control_orders)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from aiohttp import web

from sandboxes.mercadolibre.clock import SECOND, iso_utc
from sandboxes.mercadolibre.control_orders import body_json, decimal_field, int_field, post_order, reply
from sandboxes.mercadolibre.errors import MLError, bad_request, int_param, not_found
from sandboxes.mercadolibre.model import Order
from sandboxes.mercadolibre.state import SANDBOX
from sandboxes.mercadolibre.steps import InvalidTransition, Step
from sandboxes.mercadolibre.steps_after import (
    REFUND_REASONS,
    CloseClaim,
    OpenClaim,
    PartialRefund,
    ShipmentStatus,
)
from sandboxes.mercadolibre.steps_order import (
    ApprovePayments,
    CancelOrder,
    RefundToBalance,
    RejectPayment,
)
from sandboxes.mercadolibre.steps_split import SplitPack, SplitPart, pack_orders
from sandboxes.mercadolibre.world import World

StepBuilder = Callable[[World, Order, dict[str, Any], int], Step]


def _text(body: dict[str, Any], name: str, default: str) -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or not value:
        raise bad_request(f"{name} must be a non-empty string")
    return value


def _shipment(status: str) -> StepBuilder:
    def build(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
        if order.shipment_id is None:
            raise bad_request(f"order {order.id} has no shipment")
        return ShipmentStatus(at, order.shipment_id, status)

    return build


def _cancel(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
    code, group = _text(body, "code", "buyer_cancel"), _text(body, "group", "buyer")
    return CancelOrder(at, order.id, world.ids.next("refund"), code, group)


def _open_claim(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
    kind, reason = _text(body, "type", "mediations"), _text(body, "reason_id", "PDD9939")
    return OpenClaim(at, order.id, world.ids.next("claim"), kind, reason)


def _close_claim(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
    open_claims = [cid for cid in order.claim_ids if world.claims[cid].status == "opened"]
    if not open_claims:
        raise MLError(409, "invalid_transition", f"order {order.id} has no open claim")
    reason = _text(body, "reason", "payment_refunded")
    refund_id = world.ids.next("refund") if reason in REFUND_REASONS else None
    amount = decimal_field(body["amount"], "amount") if reason == "partial_refunded" else None
    return CloseClaim(at, open_claims[-1], reason, refund_id, amount)


def _split(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
    if order.pack_id is None:
        raise MLError(409, "invalid_transition", f"order {order.id} is not in a pack")
    ids = world.ids
    parts = tuple(
        SplitPart(o.id, ids.next("order"), ids.next("payment"), ids.next("shipment"))
        for o in pack_orders(world, order.id)
    )
    return SplitPack(at, order.pack_id, parts)


KINDS: Final[dict[str, StepBuilder]] = {
    "pay": lambda w, o, b, at: ApprovePayments(at, (o.id,)),
    "reject_payment": lambda w, o, b, at: RejectPayment(at, o.id, w.ids.next("payment")),
    "ready_to_ship": _shipment("ready_to_ship"),
    "ship": _shipment("shipped"),
    "deliver": _shipment("delivered"),
    "cancel": _cancel,
    "refund_to_balance": lambda w, o, b, at: RefundToBalance(at, o.id, w.ids.next("refund")),
    "partial_refund": lambda w, o, b, at: PartialRefund(
        at, o.id, w.ids.next("refund"), decimal_field(b.get("amount"), "amount")
    ),
    "open_claim": _open_claim,
    "close_claim": _close_claim,
    "pack_split": _split,
}


async def post_transition(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    order_id = int_param(request.match_info["id"], "order id")
    order = sandbox.world.orders.get(order_id)
    if order is None:
        raise not_found(f"order {order_id} not found")
    body = await body_json(request)
    kind = body.get("kind")
    if kind not in KINDS:
        raise bad_request(f"kind must be one of: {', '.join(KINDS)}")
    delay = int_field(body, "delay_s", 60) * SECOND
    step = KINDS[kind](sandbox.world, order, body, sandbox.world.cursor_ms + delay)
    try:
        applied = sandbox.engine.apply_now(step, delay)
    except InvalidTransition as exc:
        raise MLError(409, "invalid_transition", str(exc)) from None
    return reply(applied.to_json())


def _steps_param(raw: object) -> int | None:
    if raw == "all":
        return None
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise bad_request('steps must be a positive integer or "all"')
    return raw


async def post_advance(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    body = await body_json(request)
    steps = _steps_param(body.get("steps", request.query.get("steps", "1")))
    done = sandbox.engine.advance(steps)
    doc: dict[str, Any] = {
        "applied": sum(1 for a in done if a.skipped is None),
        "skipped": sum(1 for a in done if a.skipped is not None),
        "pending_steps": sandbox.engine.pending,
        "sim_now": iso_utc(sandbox.world.cursor_ms),
    }
    if request.query.get("verbose", "").lower() == "true":
        doc["steps"] = [a.to_json() for a in done]
    return reply(doc)


def add_order_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/_sandbox/orders", post_order)
    router.add_post("/_sandbox/orders/{id}/transitions", post_transition)
    router.add_post("/_sandbox/advance", post_advance)
