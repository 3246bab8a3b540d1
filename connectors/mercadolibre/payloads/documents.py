"""The ML documents related to an order: shipment (+ history), payment (`/collections/{id}`) and claim."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, model_validator

from connectors.mercadolibre.payloads.fields import MeliId, MeliModel, Money, Tags, UtcTime
from connectors.mercadolibre.payloads.order import OrderPayment


class LegacyStatusHistory(MeliModel):
    """`status_history` of the legacy shipment format (no `x-format-new`)."""

    date_shipped: UtcTime | None = None
    date_delivered: UtcTime | None = None


class Sibling(MeliModel):
    """`sibling` of a new-format shipment: after a pack split the new shipment names the cancelled one."""

    sibling_id: MeliId | None = None
    reason: str | None = None


class Shipment(MeliModel):
    """`GET /shipments/{id}` with `x-format-new: true`; legacy keys are read when present."""

    id: MeliId
    status: str
    substatus: str | None = None
    tracking_number: str | None = None
    date_created: UtcTime | None = None
    last_updated: UtcTime | None = None
    order_id: MeliId | None = None
    sender_id: MeliId | None = None  # legacy `sender_id`, or `origin.sender_id` of the new format
    status_history: LegacyStatusHistory | None = None
    sibling: Sibling | None = None
    tags: Tags = ()

    @property
    def from_pack_split(self) -> bool:
        """Created by a pack split: ML tags it `source_pack_split` and names the cancelled shipment as sibling
        (ML's Envíos page, "Consideraciones post-Split")."""
        return "source_pack_split" in self.tags or (self.sibling is not None and self.sibling.sibling_id is not None)

    @model_validator(mode="before")
    @classmethod
    def _sender(cls, data: Any) -> Any:
        origin = data.get("origin") if isinstance(data, dict) else None
        if isinstance(data, dict) and data.get("sender_id") is None and isinstance(origin, dict):
            return {**data, "sender_id": origin.get("sender_id")}
        return data


class ShipmentHistoryEntry(MeliModel):
    """One entry of `GET /shipments/{id}/history`."""

    status: str
    substatus: str | None = None
    date: UtcTime


class Refund(MeliModel):
    """One entry of a Mercado Pago payment's `refunds[]`: money going back, once its `status` is `approved`."""

    id: MeliId
    amount: Money
    date_created: UtcTime
    status: str | None = None

    @property
    def received(self) -> bool:
        """Money the buyer got back. Entries without a status come from documents that list only refunds made."""
        return self.status is None or self.status == "approved"

    @property
    def settled(self) -> bool:
        """Final either way: approved (or no status), rejected or cancelled; `pending`/`in_process` may change."""
        return self.status in (None, "approved", "rejected", "cancelled")


class Payment(OrderPayment):
    """Mercado Pago's `GET /v1/payments/{id}` (also the legacy `/collections/{id}`, bare or wrapped in
    `{"collection": {...}}`). The fields the order embeds for its payments, plus the order link, the collector,
    the refunds one by one and when the document last changed. `total_paid_amount` is read from
    `transaction_details` where MP puts it."""

    order_id: MeliId | None = None
    collector_id: MeliId | None = None
    refunds: tuple[Refund, ...] = ()
    tags: Tags = ()
    date_last_updated: UtcTime | None = Field(
        default=None, validation_alias=AliasChoices("date_last_updated", "date_last_modified", "last_modified")
    )

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("collection"), dict):
            data = data["collection"]
        if not isinstance(data, dict):
            return data
        flat = {**data, "refunds": data.get("refunds") or ()}
        order, details, collector = data.get("order"), data.get("transaction_details"), data.get("collector")
        if data.get("order_id") is None and isinstance(order, dict):
            flat["order_id"] = order.get("id")
        if data.get("total_paid_amount") is None and isinstance(details, dict):
            flat["total_paid_amount"] = details.get("total_paid_amount")
        if data.get("collector_id") is None and isinstance(collector, dict):
            flat["collector_id"] = collector.get("id")
        return flat

    @property
    def refunds_received(self) -> tuple[Refund, ...]:
        return tuple(refund for refund in self.refunds if refund.received)


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


class ClaimsPage(MeliModel):
    """A page of `GET /post-purchase/v1/claims/search`, as the worker keeps an order's claims (empty = none)."""

    claims: tuple[Claim, ...] = ()
