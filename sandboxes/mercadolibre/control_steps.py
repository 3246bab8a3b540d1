"""Control API: trigger one transition on an order, or advance the planned scenario (see control_orders).

Transition kinds (`POST /_sandbox/orders/{id}/transitions {"kind": ..., "delay_s"?: 60, ...}`):
  payments   pay, reject_payment, payment_in_process, pay_partially {amount}
  shipment   ready_to_ship, ship, deliver (the first such state of the logistic type's path),
             shipment {status, substatus?} (any documented move, e.g. ready_to_ship/dropped_off,
             not_delivered/returning_to_sender, cancelled/shipped_outside_me)
  ending     cancel {code?, group?}, pending_cancel {code?, group?}, complete_cancel, invalidate,
             refund_to_balance, pack_split
  money      partial_refund {amount, status?: approved|in_process}, settle_refund {status, refund_id?},
             chargeback {status_detail?: in_process|reimbursed|settled}
  claims     open_claim {type?, reason_id?, resource?: order|shipment|payment}, escalate_claim,
             close_claim {reason, amount?}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from aiohttp import web

from sandboxes.mercadolibre.clock import SECOND, iso_utc
from sandboxes.mercadolibre.control_orders import body_json, decimal_field, int_field, post_order, reply
from sandboxes.mercadolibre.errors import MLError, bad_request, int_param, not_found
from sandboxes.mercadolibre.model import Order
from sandboxes.mercadolibre.model_claim import Claim
from sandboxes.mercadolibre.state import SANDBOX
from sandboxes.mercadolibre.steps import InvalidTransition, Step
from sandboxes.mercadolibre.steps_cancel import (
    CancelOrder,
    CompleteCancel,
    InvalidateOrder,
    PendingCancel,
    RefundToBalance,
)
from sandboxes.mercadolibre.steps_claims import REFUND_REASONS, CloseClaim, EscalateClaim, OpenClaim
from sandboxes.mercadolibre.steps_money import Chargeback, PartialRefund, SettleRefund
from sandboxes.mercadolibre.steps_payment import ApprovePayments, PaymentInProcess, PayPartially, RejectPayment
from sandboxes.mercadolibre.steps_shipment import DELIVERED, ShipmentStatus, State, first_ready, first_shipped
from sandboxes.mercadolibre.steps_split import SplitPack, SplitPart, pack_orders
from sandboxes.mercadolibre.world import World

StepBuilder = Callable[[World, Order, dict[str, Any], int], Step]
NAMED_STATES: Final[dict[str, Callable[[str], State]]] = {
    "ready_to_ship": first_ready,
    "ship": first_shipped,
    "deliver": lambda _: DELIVERED,
}


def conflict(message: str) -> MLError:
    return MLError(409, "invalid_transition", message)


def _text(body: dict[str, Any], name: str, default: str) -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or not value:
        raise bad_request(f"{name} must be a non-empty string")
    return value


def _shipment(kind: str) -> StepBuilder:
    def build(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
        if order.shipment_id is None:
            raise conflict(f"order {order.id} has no shipment")
        logistic = world.shipments[order.shipment_id].logistic_type
        if kind == "shipment":
            substatus = body.get("substatus")
            state = (_text(body, "status", ""), substatus if isinstance(substatus, str) else None)
        else:
            state = NAMED_STATES[kind](logistic)
        return ShipmentStatus(at, order.shipment_id, *state)

    return build


def _cancel(step: type[CancelOrder] | type[PendingCancel]) -> StepBuilder:
    def build(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
        code, group = _text(body, "code", "buyer_cancel"), _text(body, "group", "buyer")
        return step(at, order.id, world.ids.next("refund"), code, group)

    return build


def _last_refund(world: World, order: Order, body: dict[str, Any]) -> int:
    if "refund_id" in body:
        return int_field(body, "refund_id", 0)
    refunds = [r for pid in order.payment_ids for r in world.payments[pid].refunds if r.status == "in_process"]
    if not refunds:
        raise conflict(f"order {order.id} has no refund in process")
    return refunds[-1].id


def _open_claim(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
    kind, reason = _text(body, "type", "mediations"), _text(body, "reason_id", "PDD9939")
    resource = _text(body, "resource", "order")
    payments = [p for pid in order.payment_ids if (p := world.payments[pid]).approved_ms is not None]
    targets = {"order": order.id, "shipment": order.shipment_id, "payment": payments[-1].id if payments else None}
    if resource not in targets:
        raise bad_request("resource must be order, shipment or payment")
    target = targets[resource]
    if target is None:
        raise conflict(f"order {order.id} has no {resource} to claim")
    returned = kind in ("return", "returns")
    ids = (world.ids.next("return"), world.ids.next("return_shipment")) if returned else (None, None)
    return OpenClaim(at, world.ids.next("claim"), target, resource, kind, reason, *ids)


def _claim_of(world: World, order: Order) -> Claim:
    claims = [c for c in world.seller_claims[order.seller_id] if order.id in c.order_ids and c.status == "opened"]
    if not claims:
        raise conflict(f"order {order.id} has no open claim")
    return claims[-1]


def _close_claim(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
    claim = _claim_of(world, order)
    reason = _text(body, "reason", "payment_refunded")
    count = len(claim.order_ids) if claim.resource == "shipment" and reason == "payment_refunded" else 1
    refund_ids = tuple(world.ids.next("refund") for _ in range(count)) if reason in REFUND_REASONS else ()
    amount = decimal_field(body.get("amount"), "amount") if reason == "partial_refunded" else None
    return CloseClaim(at, claim.id, reason, refund_ids, amount)


def _split(world: World, order: Order, body: dict[str, Any], at: int) -> Step:
    if not order.cart:
        raise conflict(f"order {order.id} is not in a pack")
    ids = world.ids
    parts = tuple(
        SplitPart(o.id, ids.next("order"), ids.next("pack"), ids.next("shipment")) for o in pack_orders(world, order.id)
    )
    return SplitPack(at, order.pack_id, parts)


KINDS: Final[dict[str, StepBuilder]] = {
    "pay": lambda w, o, b, at: ApprovePayments(at, (o.id,)),
    "reject_payment": lambda w, o, b, at: RejectPayment(at, o.id, w.ids.next("payment")),
    "payment_in_process": lambda w, o, b, at: PaymentInProcess(at, o.id),
    "pay_partially": lambda w, o, b, at: PayPartially(
        at, o.id, decimal_field(b.get("amount"), "amount"), w.ids.next("payment")
    ),
    "ready_to_ship": _shipment("ready_to_ship"),
    "ship": _shipment("ship"),
    "deliver": _shipment("deliver"),
    "shipment": _shipment("shipment"),
    "cancel": _cancel(CancelOrder),
    "pending_cancel": _cancel(PendingCancel),
    "complete_cancel": lambda w, o, b, at: CompleteCancel(at, o.id, _last_refund(w, o, b)),
    "invalidate": lambda w, o, b, at: InvalidateOrder(at, o.id, w.ids.next("refund")),
    "refund_to_balance": lambda w, o, b, at: RefundToBalance(at, o.id, w.ids.next("refund")),
    "partial_refund": lambda w, o, b, at: PartialRefund(
        at, o.id, w.ids.next("refund"), decimal_field(b.get("amount"), "amount"), _text(b, "status", "approved")
    ),
    "settle_refund": lambda w, o, b, at: SettleRefund(at, o.id, _last_refund(w, o, b), _text(b, "status", "approved")),
    "chargeback": lambda w, o, b, at: Chargeback(at, o.id, _text(b, "status_detail", "reimbursed")),
    "open_claim": _open_claim,
    "escalate_claim": lambda w, o, b, at: EscalateClaim(at, _claim_of(w, o).id),
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
        raise conflict(str(exc)) from None
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
