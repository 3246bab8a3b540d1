"""Control API for the lifecycle: create orders, trigger one transition, advance the planned scenario.

POST /_sandbox/orders        {"seller_id", "scenario": "manual"|<scenario of scenarios.py>, "orders": 1,
                              "buyer_id"?, "items"?: [{"title", "unit_price", "quantity"}],
                              "shipping_cost"?, "logistic_type"?, "no_shipping"?: false,
                              "status"?: "payment_required"|"confirmed", "delay_s"?: 60}
                             (custom items ship free unless shipping_cost is given; drawn items get the
                             planner's shipping cost) creates the purchase now (simulated cursor +
                             delay_s); a named scenario also schedules the rest of its plan.
POST /_sandbox/orders/{id}/transitions   {"kind", "delay_s"?: 60, ...}: one step on the order; the kinds
                             are listed in control_steps.py. 409 if it does not fit the state.
POST /_sandbox/advance       {"steps": N | "all"} (or ?steps=): apply planned steps in time order.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from sandboxes.mercadolibre.clock import SECOND, iso_utc
from sandboxes.mercadolibre.errors import bad_request, int_param, not_found
from sandboxes.mercadolibre.model import Item, Line
from sandboxes.mercadolibre.planner import Planner
from sandboxes.mercadolibre.render import dumps
from sandboxes.mercadolibre.scenarios import MANUAL, SCENARIOS
from sandboxes.mercadolibre.scenarios import plan as plan_scenario
from sandboxes.mercadolibre.state import SANDBOX, Sandbox
from sandboxes.mercadolibre.steps import Step
from sandboxes.mercadolibre.steps_order import CreateOrders, OrderSpec
from sandboxes.mercadolibre.steps_shipment import LOGISTIC_TYPES, default_logistic_type
from sandboxes.mercadolibre.world import World


def reply(doc: Any, status: int = 200) -> web.Response:
    return web.Response(body=dumps(doc), status=status, content_type="application/json", charset="utf-8")


async def body_json(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


def seller_param(sandbox: Sandbox, text: str) -> int:
    if not text:
        raise bad_request("seller_id is required")
    seller_id = int_param(text, "seller_id")
    if seller_id not in sandbox.world.sellers:
        raise not_found(f"seller {seller_id} not found")
    return seller_id


def decimal_field(value: object, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise bad_request(f"{name} must be a decimal amount") from None
    if not amount.is_finite() or amount <= 0:
        raise bad_request(f"{name} must be positive")
    return amount.quantize(Decimal("0.01"))


def int_field(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request(f"{name} must be a non-negative integer")
    return value


def _custom_lines(world: World, seller_id: int, raw: object) -> tuple[Line, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw or not all(isinstance(x, dict) for x in raw):
        raise bad_request("items must be a non-empty list of objects")
    site_id = world.users[seller_id].site_id
    lines = []
    for entry in raw:
        price = decimal_field(entry.get("unit_price"), "unit_price")
        number = world.ids.next("item")
        item = Item(f"{site_id}{number}", str(entry.get("title", "Producto de prueba")), price, f"SKU-{number}", None)
        lines.append(
            Line(item, int_field(entry, "quantity", 1) or 1, price, (price * Decimal("0.13")).quantize(Decimal("0.01")))
        )
    return tuple(lines)


def _manual_purchase(planner: Planner, body: dict[str, Any], t0: int) -> CreateOrders:
    world, seller_id = planner.world, planner.seller_id
    count = int_field(body, "orders", 1)
    if not 1 <= count <= 5:
        raise bad_request("orders (pack size) must be between 1 and 5")
    status = body.get("status", "payment_required")
    if status not in ("confirmed", "payment_required"):
        raise bad_request("status must be confirmed or payment_required")
    logistic = body.get("logistic_type")
    if logistic is not None and logistic not in LOGISTIC_TYPES:
        raise bad_request(f"logistic_type must be one of: {', '.join(LOGISTIC_TYPES)}")
    create = planner.purchase(t0, count, shipped=not body.get("no_shipping", False), status=status)
    lines = _custom_lines(world, seller_id, body.get("items"))
    shipping = decimal_field(body["shipping_cost"], "shipping_cost") if body.get("shipping_cost") else None
    if shipping is None and lines is not None:
        shipping = Decimal(0)  # custom items: free shipping unless asked for
    specs = tuple(
        OrderSpec(
            s.order_id,
            s.buyer_id,
            lines or s.lines,
            s.payment_id,
            s.shipping_cost if shipping is None else (shipping if i == 0 else Decimal(0)),
        )
        for i, s in enumerate(create.orders)
    )
    shipment = create.shipment_id
    logistic = logistic or (default_logistic_type(shipment) if shipment else "drop_off")
    return CreateOrders(create.at, create.seller_id, shipment, create.pack_id, specs, logistic, status)


async def post_order(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    body = await body_json(request)
    seller_id = seller_param(sandbox, str(body.get("seller_id", "")))
    scenario = body.get("scenario", MANUAL)
    if scenario != MANUAL and scenario not in SCENARIOS:
        raise bad_request(f"unknown scenario {scenario!r}; known: {MANUAL}, {', '.join(SCENARIOS)}")
    delay = int_field(body, "delay_s", 60) * SECOND
    world, engine = sandbox.world, sandbox.engine
    sandbox.control_count += 1
    rng = random.Random(f"{sandbox.config.seed}/control/{sandbox.control_count}")
    buyer_id = body.get("buyer_id")
    if buyer_id is not None and (not isinstance(buyer_id, int) or buyer_id not in world.buyers[seller_id]):
        raise bad_request("buyer_id must be one of the seller's buyers")
    planner = Planner(world, rng, seller_id, buyer_id)
    t0 = world.cursor_ms + delay
    manual = scenario == MANUAL
    plan: list[Step] = [_manual_purchase(planner, body, t0)] if manual else plan_scenario(planner, scenario, t0)
    create = plan[0]
    assert isinstance(create, CreateOrders)
    engine.apply_now(create, delay)
    engine.schedule(plan[1:])
    doc = {
        "order_ids": [spec.order_id for spec in create.orders],
        "pack_id": create.pack_id,
        "shipment_id": create.shipment_id,
        "buyer_id": create.orders[0].buyer_id,
        "scenario": scenario,
        "planned_steps": len(plan) - 1,
        "created_at": iso_utc(t0),
    }
    return reply(doc, 201)
