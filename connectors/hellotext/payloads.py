"""Request bodies for Hellotext, as pure functions of our records (no network, no clock).

A Mercado Libre buyer becomes a profile with its names (and email/phone when ML gave them), the buyer id in a
unique custom property and the nickname in another; it is never marked subscribed (consent is not identity).
An order item's product is referenced by the ML item id and variation, source `mercadolibre`; the order by
the ML order id. An event names the profile and the order by their Hellotext ids, keeps the source's time
(Unix seconds), and sends money as a decimal number, never cents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

SOURCE = "mercadolibre"
BUYER_PROPERTY = "Mercado Libre buyer"
NICKNAME_PROPERTY = "Mercado Libre nickname"
PROPERTIES: dict[str, dict[str, Any]] = {
    BUYER_PROPERTY: {"name": BUYER_PROPERTY, "kind": "text", "unique": True},
    NICKNAME_PROPERTY: {"name": NICKNAME_PROPERTY, "kind": "text", "unique": False},
}


@dataclass(frozen=True)
class Buyer:
    external_id: str
    nickname: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None


def profile_body(buyer: Buyer, property_ids: Mapping[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "first_name": buyer.first_name,
        "last_name": buyer.last_name,
        "email[primary]": buyer.email,
        "phone[mobile]": buyer.phone,
        f"property_by_id[{property_ids[BUYER_PROPERTY]}]": buyer.external_id,
        f"property_by_id[{property_ids[NICKNAME_PROPERTY]}]": buyer.nickname,
    }
    return {key: value for key, value in body.items() if value}


def profile_matches(profile: Mapping[str, Any], buyer_property_id: str, external_id: str) -> bool:
    """Whether a listed profile is this buyer's (its unique buyer property holds the ML buyer id)."""
    properties = profile.get("properties") or {}
    return isinstance(properties, dict) and str(properties.get(buyer_property_id)) == external_id


def product_reference(item: Mapping[str, Any]) -> str:
    variation = item.get("variation_id")
    return f"{item['item_id']}-{variation}" if variation else str(item["item_id"])


def _money(amount: Decimal | str, currency: str | None) -> dict[str, Any]:
    return {"amount": float(Decimal(str(amount))), "currency": currency}


def product_body(item: Mapping[str, Any], currency: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": item.get("title") or str(item["item_id"]),
        "reference": product_reference(item),
        "source": SOURCE,
        "price": _money(item["unit_price"], currency),
    }
    if item.get("seller_sku"):
        body["sku"] = item["seller_sku"]
    return body


def order_body(reference: str, items: Sequence[Mapping[str, Any]], product_ids: Mapping[str, str],
               currency: str | None) -> dict[str, Any]:  # fmt: skip
    return {
        "reference": reference,
        "source": SOURCE,
        "sales_channel": SOURCE,
        "items": [
            {
                "product": product_ids[product_reference(item)],
                "quantity": int(item.get("quantity") or 1),
                "price": _money(item["unit_price"], currency),
            }
            for item in items
        ],
    }


def event_body(action: str, profile_id: str, order_id: str | None, tracked_at: datetime,
               amount: Decimal | None, currency: str | None) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {"action": action, "profile": profile_id, "tracked_at": int(tracked_at.timestamp())}
    if order_id is not None:
        body["object"] = order_id
    if amount is not None and currency:
        body["amount"] = float(amount)
        body["currency"] = currency
    return body
