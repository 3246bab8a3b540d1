"""Claims (`/post-purchase/v1/claims/{id}`) and their returns (`/post-purchase/v2/claims/{id}/returns`).

A claim is on a `resource`: an `order` (players buyer/seller), a `shipment` (receiver/sender: a "not
received" claim covers every order the shipment carries) or a `payment` (payer/collector); CLAIM,
https://developers.mercadolibre.com.ve/es_ar/que-es-un-reclamo. In stage `dispute` a `mediator` player
(type `internal`) joins, as the claims search example of
https://developers.mercadolibre.com.ar/en_us/working-with-claims shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# resource -> (complainant type, respondent type)
PLAYER_TYPES: Final[dict[str, tuple[str, str]]] = {
    "order": ("buyer", "seller"),
    "shipment": ("receiver", "sender"),
    "payment": ("payer", "collector"),
}
MEDIATOR_ID: Final = 100_000_001  # the Mercado Libre agent who mediates disputes in the sandbox


@dataclass(slots=True, frozen=True)
class Resolution:
    reason: str
    date_ms: int
    benefited: str
    closed_by: str


@dataclass(slots=True)
class ReturnShipment:
    id: int
    status: str


@dataclass(slots=True)
class Return:
    """RET (https://developers.mercadolibre.com.ve/es_ar/gestionar-devoluciones): a return opened with a claim.

    `status` pending -> shipped -> delivered (or cancelled), `status_money` retained -> refunded (or
    available), `refund_at` delivered."""

    id: int
    claim_id: int
    order_id: int
    created_ms: int
    updated_ms: int
    shipment: ReturnShipment
    status: str = "pending"
    status_money: str = "retained"
    closed_ms: int | None = None


@dataclass(slots=True)
class Claim:
    """`order_ids`: the orders the claim concerns (one, or every order of a claimed shipment)."""

    id: int
    resource: str
    resource_id: int
    order_ids: tuple[int, ...]
    seller_id: int
    buyer_id: int
    site_id: str
    type: str
    reason_id: str
    created_ms: int
    updated_ms: int
    payment_id: int | None
    pack_id: int | None
    status: str = "opened"
    stage: str = "claim"
    disputed: bool = False
    resolution: Resolution | None = None
    return_: Return | None = None
    cache: bytes | None = None
    return_cache: bytes | None = field(default=None)

    def touch(self, at: int) -> None:
        self.updated_ms = max(self.updated_ms, at)
        self.cache = self.return_cache = None
