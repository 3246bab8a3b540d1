"""Mercado Libre vocabulary shared by the connector: notification topics, document kinds and sites."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

SOURCE: Final = "mercadolibre"
API_HOST: Final = "api.mercadolibre.com"


class Topic(StrEnum):
    """Notification topics ML sends. Which ones we process is decided by `notifications.TOPICS` alone."""

    ORDERS_V2 = "orders_v2"
    ORDERS = "orders"
    CREATED_ORDERS = "created_orders"
    SHIPMENTS = "shipments"
    PAYMENTS = "payments"
    POST_PURCHASE = "post_purchase"
    CLAIMS = "claims"
    # Global Selling (cross-border sellers): the same changes, under topics and resources of their own.
    MARKETPLACE_ORDERS = "marketplace_orders"
    MARKETPLACE_ORDERS_ON_SITE = "marketplace_orders_on_site"
    MARKETPLACE_SHIPMENTS = "marketplace_shipments"
    MARKETPLACE_CLAIMS = "marketplace_claims"
    # Not commerce events for us: acknowledged and recorded as ignored.
    ITEMS = "items"
    QUESTIONS = "questions"
    MESSAGES = "messages"
    INVOICES = "invoices"
    PRICE_SUGGESTION = "price_suggestion"
    STOCK_LOCATION = "stock-location"
    CATALOG_ITEM_COMPETITION_STATUS = "catalog_item_competition_status"
    CATALOG_SUGGESTIONS = "catalog_suggestions"
    FBM_STOCK_OPERATIONS = "fbm_stock_operations"
    FLEX_HANDSHAKES = "flex-handshakes"
    PUBLIC_OFFERS = "public_offers"
    PUBLIC_CANDIDATES = "public_candidates"
    VIS_LEADS = "vis_leads"
    LEADS_CREDITS = "leads-credits"
    QUOTATIONS = "quotations"
    ORDERS_FEEDBACK = "orders_feedback"
    MARKETPLACE_ITEMS = "marketplace_items"
    MARKETPLACE_QUESTIONS = "marketplace_questions"
    MARKETPLACE_MESSAGES = "marketplace_messages"
    MARKETPLACE_FBM_STOCK = "marketplace_fbm_stock"
    MARKETPLACE_CBT_ITEM_UPTIN = "marketplace_cbt_item_uptin"


class Kind(StrEnum):
    """Kinds of ML documents the mapping reads."""

    ORDER = "order"
    MARKETPLACE_ORDER = "marketplace_order"  # a Global Selling order: GET /marketplace/orders/{id}
    SHIPMENT = "shipment"
    SHIPMENT_HISTORY = "shipment_history"
    PAYMENT = "payment"
    CLAIM = "claim"
    CLAIMS = "claims"  # a page of GET /post-purchase/v1/claims/search (the worker keeps an order's claims so)


@dataclass(frozen=True)
class Site:
    site_id: str
    country: str
    currency: str
    auth_host: str


SITES: Final[dict[str, Site]] = {
    site.site_id: site
    for site in (
        Site("MLA", "AR", "ARS", "auth.mercadolibre.com.ar"),
        Site("MLB", "BR", "BRL", "auth.mercadolivre.com.br"),
        Site("MLM", "MX", "MXN", "auth.mercadolibre.com.mx"),
        Site("MCO", "CO", "COP", "auth.mercadolibre.com.co"),
        Site("MLU", "UY", "UYU", "auth.mercadolibre.com.uy"),
        Site("MLC", "CL", "CLP", "auth.mercadolibre.cl"),
        Site("MPE", "PE", "PEN", "auth.mercadolibre.com.pe"),
        Site("MEC", "EC", "USD", "auth.mercadolibre.com.ec"),
        Site("MLV", "VE", "VES", "auth.mercadolibre.com.ve"),
    )
}


def site(site_id: str) -> Site | None:
    """The site with this id (`MLA`, `MLB`, ...), or None when we do not know it."""
    return SITES.get(site_id.upper())
