"""Checks of the fake Hellotext's event tracking, as tracking-events.md and external-tracking.md describe them:
`action` must be known to the business (404 otherwise), `profile` and `object` must exist (422), `currency`
needs an `amount`, `tracked_at` is Unix seconds or ISO 8601 with a time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandboxes.hellotext.state import Account

ACTIONS = frozenset(
    {
        "cart.abandoned", "cart.added", "cart.removed", "order.placed", "order.confirmed", "order.cancelled",
        "order.shipped", "order.delivered", "product.purchased", "product.viewed", "coupon.redeemed",
        "refund.requested", "refund.received", "page.viewed", "app.install", "app.remove", "app.spent",
        "form.completed",
    }
)  # fmt: skip
SECONDS_LIMIT = 10**11  # above it a number is milliseconds, not seconds


@dataclass
class Invalid(Exception):
    status: int
    kind: str
    message: str
    parameter: str | None = None


def flat_fields(body: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"email": {"primary": x}}` and `{"email[primary]": x}` alike become `{"email[primary]": x}`."""
    flat: dict[str, Any] = {}
    for key, value in body.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            flat.update(flat_fields(value, name))
        else:
            flat[name] = value
    return flat


def _tracked_at(value: Any) -> str:
    if value is None:
        return datetime.now(UTC).isoformat()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        if value >= SECONDS_LIMIT or value < 0:
            raise Invalid(422, "invalid", "tracked_at must be Unix seconds", "tracked_at")
        return datetime.fromtimestamp(float(value), UTC).isoformat()
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(UTC).isoformat()
    raise Invalid(422, "invalid", "tracked_at must be ISO 8601 with a time zone or Unix seconds", "tracked_at")


def _amount(body: dict[str, Any]) -> str | None:
    amount, currency = body.get("amount"), body.get("currency")
    if amount is None:
        if currency is not None:
            raise Invalid(422, "invalid", "currency needs an amount", "currency")
        return None
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal | str):
        raise Invalid(422, "invalid", "amount must be a decimal number", "amount")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise Invalid(422, "invalid", "currency must be an ISO 4217 code", "currency")
    return str(Decimal(str(amount)))


def check_event(account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """The event this body records, or `Invalid`."""
    action = body.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        raise Invalid(404, "not_found", f"action {action!r} does not exist for this business", "action")
    for wrong in ("profile_id", "session_id"):
        if wrong in body:
            raise Invalid(422, "invalid", f"unknown parameter {wrong}", wrong)
    profile = body.get("profile")
    if profile is None and body.get("session") is None:
        raise Invalid(422, "invalid", "profile or session is required", "profile")
    if profile is not None and profile not in account.profiles:
        raise Invalid(422, "invalid", "profile not found", "profile")
    target = body.get("object")
    if target is not None and target not in account.orders and target not in account.products:
        raise Invalid(422, "invalid", "object not found", "object")
    return {
        "action": action,
        "profile": profile,
        "session": body.get("session"),
        "object": target,
        "amount": _amount(body),
        "currency": body.get("currency"),
        "tracked_at": _tracked_at(body.get("tracked_at")),
    }
