"""Shipments: status, substatus and history, logistic type, tags and the pack-split `sibling` link.

Shapes follow ML's "Gestionar envíos" page (SHIP, https://developers.mercadolibre.com.ve/es_ar/envios):
`sibling {reason, sibling_id, description, source, date_created, last_updated}` names the cancelled shipment
a pack split replaced, and such a shipment carries tag `source_pack_split` (ORD,
https://developers.mercadolivre.com.br/gerenciamento-de-vendas).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(slots=True, frozen=True)
class StatusEntry:
    status: str
    substatus: str | None
    date_ms: int


@dataclass(slots=True, frozen=True)
class Sibling:
    """The cancelled shipment this one replaces after a pack split."""

    sibling_id: int
    date_ms: int
    reason: str = "pack_splitted"
    description: str = "The pack was split by the cart splitter"
    source: str = "cart_splitter"


@dataclass(slots=True)
class Shipment:
    id: int
    seller_id: int
    receiver_id: int
    site_id: str
    order_ids: list[int]
    created_ms: int
    updated_ms: int
    logistic_type: str
    declared_value: Decimal
    shipping_cost: Decimal
    status: str = "pending"
    substatus: str | None = None
    history: list[StatusEntry] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sibling: Sibling | None = None
    handed_over_ms: int | None = None  # first moment the goods left the seller (ground truth, not rendered)
    cache_new: bytes | None = None
    cache_legacy: bytes | None = None

    def set_status(self, status: str, substatus: str | None, at: int) -> None:
        self.status, self.substatus = status, substatus
        self.history.append(StatusEntry(status, substatus, at))
        self.updated_ms = max(self.updated_ms, at)
        self.cache_new = self.cache_legacy = None

    @property
    def state(self) -> tuple[str, str | None]:
        return self.status, self.substatus

    def first(self, status: str, substatus: str | None = None) -> int | None:
        """When the history first shows `status` (and `substatus`, when given)."""
        for entry in self.history:
            if entry.status == status and (substatus is None or entry.substatus == substatus):
                return entry.date_ms
        return None
