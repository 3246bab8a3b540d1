"""Pure mapping of ML documents to our events (docs/event-mapping.md): no I/O, no clock, no logging."""

from connectors.mercadolibre.mapping.bundle import MappingOptions, MappingResult, OrderBundle, Pending
from connectors.mercadolibre.mapping.fetch_plan import Need, NeedKind, linked_order_ids, needs
from connectors.mercadolibre.mapping.order import EMITTED_ACTIONS, RULES, map_order
from connectors.mercadolibre.mapping.view import DryRun, event_to_dict, map_documents, map_raw_documents

__all__ = [
    "EMITTED_ACTIONS",
    "RULES",
    "DryRun",
    "MappingOptions",
    "MappingResult",
    "Need",
    "NeedKind",
    "OrderBundle",
    "Pending",
    "event_to_dict",
    "linked_order_ids",
    "map_documents",
    "map_order",
    "map_raw_documents",
    "needs",
]
