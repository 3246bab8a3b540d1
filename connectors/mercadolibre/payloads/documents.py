"""The ML documents related to an order: shipment (+ history), payment (`/collections/{id}`) and claim."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from connectors.mercadolibre.payloads.fields import MeliId, MeliModel, Money, Tags, UtcTime
from connectors.mercadolibre.payloads.order import OrderPayment


class LegacyStatusHistory(MeliModel):
    """`status_history` of the legacy shipment format (no `x-format-new`)."""

    date_shipped: UtcTime | None = None
    date_delivered: UtcTime | None = None


class Shipment(MeliModel):
    """`GET /shipments/{id}` with `x-format-new: true`; legacy keys are read when present."""

    id: MeliId
    status: str
    substatus: str | None = None
    tracking_number: str | None = None
    date_created: UtcTime | None = None
    last_updated: UtcTime | None = None
    order_id: MeliId | None = None
    status_history: LegacyStatusHistory | None = None


class ShipmentHistoryEntry(MeliModel):
    """One entry of `GET /shipments/{id}/history`."""

    status: str
    substatus: str | None = None
    date: UtcTime


class Refund(MeliModel):
    id: MeliId
    amount: Money
    date_created: UtcTime
    status: str | None = None


class Payment(OrderPayment):
    """`GET /collections/{id}`; also read from a `{"collection": {...}}` wrapper and `/v1/payments/{id}`.
    The fields the order embeds for its payments, plus the order link and the refunds one by one."""

    order_id: MeliId | None = None
    refunds: tuple[Refund, ...] = ()
    tags: Tags = ()

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("collection"), dict):
            data = data["collection"]
        if not isinstance(data, dict):
            return data
        order = data.get("order")
        if data.get("order_id") is None and isinstance(order, dict):
            data = {**data, "order_id": order.get("id")}
        return {**data, "refunds": data.get("refunds") or ()}


class ClaimResolution(MeliModel):
    reason: str | None = None
    date_created: UtcTime | None = None
    closed_by: str | None = None
    benefited: Tags = ()


class ClaimPlayer(MeliModel):
    role: str | None = None
    type: str | None = None
    user_id: MeliId | None = None


class Claim(MeliModel):
    """`GET /post-purchase/v1/claims/{id}`."""

    id: MeliId
    resource: str | None = None
    resource_id: MeliId | None = None
    status: str | None = None
    type: str | None = None
    stage: str | None = None
    reason_id: str | None = None
    date_created: UtcTime | None = None
    last_updated: UtcTime | None = None
    resolution: ClaimResolution | None = None
    players: tuple[ClaimPlayer, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _null_players(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("players") is None:
            return {**data, "players": ()}
        return data

    @property
    def order_id(self) -> str | None:
        """The order the claim is on, when it is on an order (not on a payment or shipment)."""
        return self.resource_id if self.resource == "order" else None
