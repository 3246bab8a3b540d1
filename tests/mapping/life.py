"""A small simulation of one order's life at ML, for property tests.

`life(steps)` applies the steps in order to raw ML documents (as the API would render them) and returns a
snapshot after each one: the documents a fetch at that moment would have seen.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from connectors.mercadolibre.mapping import OrderBundle
from connectors.mercadolibre.payloads import parse_claim, parse_history, parse_order, parse_payment, parse_shipment

ORDER_ID = 2000009876543210
PAYMENT_ID = 91234567890
SHIPMENT_ID = 44001234567
START = datetime(2026, 11, 20, 14, 2, 10, tzinfo=UTC)
ART = timezone(timedelta(hours=-3))
STEPS = (
    "pay", "cancel", "unfulfill", "ready", "pickup", "ship", "deliver", "return", "claim", "close_claim", "refund",
    "request_refund", "approve_refund", "reject_refund", "chargeback",
)  # fmt: skip


def ml_time(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).astimezone(ART).isoformat(timespec="milliseconds")


@dataclass
class Life:
    order: dict[str, Any]
    payment: dict[str, Any]
    shipment: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    clock: int = 0
    refund_seq: int = 0

    def tick(self) -> str:
        self.clock += 7
        return ml_time(self.clock)

    @property
    def terminal(self) -> bool:
        """Cancelled, refunded to balance or charged back: nothing changes on the order or its payment any more."""
        charged_back = self.payment["status"] == "charged_back"
        return self.order["status"] == "cancelled" or "unfulfilled" in self.order["tags"] or charged_back

    @property
    def paid(self) -> bool:
        return self.payment["date_approved"] is not None

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "order": self.order,
                "payment": self.payment,
                "shipment": self.shipment,
                "history": self.history,
                "claims": self.claims,
            }
        )


def new_life() -> Life:
    created = ml_time(0)
    payment = {
        "id": PAYMENT_ID,
        "order_id": ORDER_ID,
        "status": "pending",
        "status_detail": "pending_waiting_payment",
        "transaction_amount": Decimal("15999.5"),
        "total_paid_amount": Decimal("17499.5"),
        "transaction_amount_refunded": 0,
        "currency_id": "ARS",
        "date_created": created,
        "date_approved": None,
        "refunds": [],
    }
    order = {
        "id": ORDER_ID,
        "status": "payment_required",
        "date_created": created,
        "date_closed": None,
        "last_updated": created,
        "total_amount": Decimal("15999.5"),
        "currency_id": "ARS",
        "buyer": {"id": "1122334455"},
        "seller": {"id": 987654321},
        "order_items": [
            {"item": {"id": "MLA1400123456", "title": "X2"}, "quantity": 1, "unit_price": Decimal("15999.5")}
        ],
        "payments": [{key: payment[key] for key in payment if key != "refunds"}],
        "shipping": {"id": SHIPMENT_ID},
        "tags": [],
        "cancel_detail": None,
    }
    shipment = {"id": SHIPMENT_ID, "status": "pending", "substatus": None, "last_updated": created}
    return Life(order, payment, shipment)


def _sync_payment(life: Life, at: str) -> None:
    life.payment["date_last_updated"] = at
    life.order["payments"] = [{key: value for key, value in life.payment.items() if key != "refunds"}]
    life.order["last_updated"] = at


def _pay(life: Life, at: str) -> bool:
    if life.paid or life.terminal:
        return False
    life.payment.update(status="approved", status_detail="accredited", date_approved=at)
    life.order.update(status="paid", date_closed=at, tags=["paid", "not_delivered"])
    _sync_payment(life, at)
    return True


def _refunded(life: Life) -> Decimal:
    return sum((Decimal(r["amount"]) for r in life.payment["refunds"] if r["status"] == "approved"), Decimal(0))


def _charged_back(life: Life) -> bool:
    """A chargeback ends the payment: no refund moves money on it afterwards (sandbox steps_money.py)."""
    return bool(life.payment["status"] == "charged_back")


def _refund(life: Life, at: str, amount: Decimal | None, status: str = "approved") -> None:
    assert not _charged_back(life)
    refunded = _refunded(life)
    value = life.payment["total_paid_amount"] - refunded if amount is None else amount
    life.refund_seq += 1
    entry = {"id": 3000011110000 + life.refund_seq, "amount": value, "date_created": at, "status": status}
    life.payment["refunds"].append(entry)
    if status != "approved":
        _sync_payment(life, at)
        return
    full = refunded + value == life.payment["total_paid_amount"]
    status, detail = ("refunded", "refunded") if full else ("approved", "partially_refunded")
    life.payment.update(status=status, status_detail=detail, transaction_amount_refunded=refunded + value)
    _sync_payment(life, at)


def _cancel(life: Life, at: str) -> bool:
    if life.terminal or life.shipment["status"] in ("shipped", "delivered"):
        return False
    detail = {"group": "buyer", "code": "buyer_cancel", "date": at}
    if life.paid and not _charged_back(life):
        _refund(life, at, None)
    life.order.update(status="cancelled", cancel_detail=detail, tags=["not_delivered"], last_updated=at)
    return True


def _unfulfill(life: Life, at: str) -> bool:
    if life.terminal or not life.paid or life.payment["refunds"] or life.shipment["status"] != "pending":
        return False
    if _charged_back(life):
        return False
    _refund(life, at, None)
    life.order["tags"] = [*life.order["tags"], "unfulfilled"]
    return True


def _ship_to(life: Life, at: str, status: str, before: str) -> bool:
    if life.terminal or not life.paid or life.shipment["status"] != before:
        return False
    life.shipment.update(status=status, substatus=None, last_updated=at)
    life.history.append({"status": status, "substatus": None, "date": at})
    return True


def _claim(life: Life, at: str) -> bool:
    if life.terminal or not life.paid or life.claims:
        return False
    life.claims.append(
        {"id": 5300012345, "resource": "order", "resource_id": ORDER_ID, "status": "opened", "type": "mediations"}
    )
    life.claims[0]["date_created"] = at
    return True


def _close_claim(life: Life, at: str) -> bool:
    if not life.claims or life.claims[0]["status"] == "closed":
        return False
    life.claims[0].update(status="closed", resolution={"reason": "payment_refunded", "date_created": at})
    if life.payment["status"] not in ("refunded", "charged_back"):
        _refund(life, at, Decimal("1000.10"))
    return True


def _partial_refund(life: Life, at: str) -> bool:
    if life.terminal or not life.paid or life.payment["status"] in ("refunded", "charged_back"):
        return False
    if len(life.payment["refunds"]) > 3:
        return False
    _refund(life, at, Decimal("0.01"))
    life.order["status"] = "partially_refunded"
    return True


def _pickup(life: Life, at: str) -> bool:
    """Cross docking: the carrier takes the package while the API still says ready_to_ship."""
    if life.terminal or life.shipment["status"] != "ready_to_ship" or life.shipment["substatus"] == "picked_up":
        return False
    life.shipment.update(substatus="picked_up", last_updated=at)
    life.history.append({"status": "ready_to_ship", "substatus": "picked_up", "date": at})
    return True


def _return(life: Life, at: str) -> bool:
    if life.shipment["status"] != "shipped":
        return False
    life.shipment.update(status="not_delivered", substatus="returning_to_sender", last_updated=at)
    life.history.append({"status": "not_delivered", "substatus": "returning_to_sender", "date": at})
    return True


def _request_refund(life: Life, at: str) -> bool:
    """A refund asked for and still in process: no money back yet."""
    if life.terminal or not life.paid or life.payment["status"] in ("refunded", "charged_back"):
        return False
    if len(life.payment["refunds"]) > 3:
        return False
    _refund(life, at, Decimal("0.02"), status="in_process")
    return True


def _settle_refund(life: Life, at: str, status: str) -> bool:
    waiting = [entry for entry in life.payment["refunds"] if entry["status"] == "in_process"]
    if not waiting or life.terminal or _charged_back(life):
        return False
    waiting[0]["status"] = status
    if status == "approved":
        total = _refunded(life)
        life.payment.update(status_detail="partially_refunded", transaction_amount_refunded=total)
    _sync_payment(life, at)
    return True


def _chargeback(life: Life, at: str) -> bool:
    if life.terminal or not life.paid or life.payment["status"] == "refunded":
        return False
    life.payment.update(status="charged_back", status_detail="reimbursed")
    _sync_payment(life, at)
    return True


def apply(life: Life, step: str) -> bool:
    """Apply `step` if it fits the current state; False (nothing changed) when it does not."""
    at = life.tick()
    actions = {
        "pay": lambda: _pay(life, at),
        "cancel": lambda: _cancel(life, at),
        "unfulfill": lambda: _unfulfill(life, at),
        "ready": lambda: _ship_to(life, at, "ready_to_ship", "pending"),
        "pickup": lambda: _pickup(life, at),
        "ship": lambda: _ship_to(life, at, "shipped", "ready_to_ship"),
        "deliver": lambda: _ship_to(life, at, "delivered", "shipped"),
        "return": lambda: _return(life, at),
        "request_refund": lambda: _request_refund(life, at),
        "approve_refund": lambda: _settle_refund(life, at, "approved"),
        "reject_refund": lambda: _settle_refund(life, at, "rejected"),
        "chargeback": lambda: _chargeback(life, at),
        "claim": lambda: _claim(life, at),
        "close_claim": lambda: _close_claim(life, at),
        "refund": lambda: _partial_refund(life, at),
    }
    return actions[step]()


def life(steps: list[str]) -> list[dict[str, Any]]:
    """Snapshots of the order's documents: the start, then one after each step that applied."""
    current = new_life()
    snapshots = [current.snapshot()]
    for step in steps:
        if apply(current, step):
            snapshots.append(current.snapshot())
    return snapshots


def bundle(snapshot: dict[str, Any], known: frozenset[str] = frozenset({"all"})) -> OrderBundle:
    """The bundle a fetch of this snapshot gives, knowing only the related documents named in `known`."""

    def wanted(name: str) -> bool:
        return "all" in known or name in known

    payment = parse_payment(snapshot["payment"])
    return OrderBundle(
        order=parse_order(snapshot["order"]),
        shipment=parse_shipment(snapshot["shipment"]) if wanted("shipment") else None,
        shipment_history=parse_history(snapshot["history"]) if wanted("history") else None,
        payments={payment.id: payment} if wanted("payments") else None,
        claims=[parse_claim(claim) for claim in snapshot["claims"]] if wanted("claims") else None,
    )
