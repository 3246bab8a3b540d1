"""The OpenAPI description of the events query and of what events point to (`events_api`, `records_api`)."""

from __future__ import annotations

from connectors.events import Origin
from connectors.mercadolibre.mapping import EMITTED_ACTIONS
from worker.web.event_params import CURSOR_PATTERN, MAX_AFTER, MAX_LIMIT, SORTS
from worker.web.openapi_parts import (
    API_DOWN,
    BEARER,
    JSON,
    STRING,
    TEXT,
    TIME,
    TOO_MANY_KEYS,
    UNAUTHORIZED,
    Doc,
    exact_object,
    json_answer,
    nullable,
    query,
    ref,
)

KEYED = {"401": UNAUTHORIZED, "429": TOO_MANY_KEYS, "503": API_DOWN}
ML_ID = {"type": "string", "pattern": "^[0-9]{1,19}$"}
ACTION = {"type": "string", "enum": list(EMITTED_ACTIONS)}
ORIGIN = {"type": "string", "enum": [origin.value for origin in Origin]}
EVENT_PARAMETERS = [
    query("after", {"type": "integer", "minimum": 0, "maximum": MAX_AFTER, "default": 0,
                    "description": "events stored after this id; sort=id pages continue with the previous page's "
                                   "next_after"}),
    query("cursor", {"type": "string", "pattern": CURSOR_PATTERN,
                     "description": "events after this point of the tracked_at order; sort=tracked_at pages "
                                    "continue with the previous page's next_cursor"}),
    query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}),
    query("sort", {"type": "string", "enum": list(SORTS), "default": "id",
                   "description": "id: the order events were stored in, a stream that never skips (follow it "
                                  "with after); tracked_at: the order they happened in, ties by id"}),
    query("action", ACTION),
    query("origin", ORIGIN),
    query("order", {**ML_ID, "description": "the order's reference (its Mercado Libre order id)"}),
    query("subscriber", {**ML_ID, "description": "the subscriber's external id (the buyer's Mercado Libre id)"}),
    query("tracked_since", {**TIME, "description": "events that happened at or after this time"}),
    query("tracked_until", {**TIME, "description": "events that happened before this time"}),
]  # fmt: skip
NOT_FOUND = {"description": "No such record for this business", "content": {JSON: {"schema": ref("Error")}, TEXT: {}}}
EVENTS = {
    "summary": "The business's events, filtered; has_more says whether another page is waiting now",
    "security": BEARER,
    "parameters": EVENT_PARAMETERS,
    "responses": {"200": json_answer("A page of events", "EventPage"),
                  "400": json_answer("A parameter not valid, unknown or repeated (the message names it)", "Error"),
                  **KEYED},
}  # fmt: skip


def _record(summary: str, name: str, schema: str) -> Doc:
    parameter = {"name": name, "in": "path", "required": True, "schema": ML_ID}
    return {"get": {"summary": summary, "security": BEARER, "parameters": [parameter],
                    "responses": {"200": json_answer(summary, schema), "404": NOT_FOUND, **KEYED}}}  # fmt: skip


def record_paths() -> Doc:
    return {
        "/api/v1/events": {"get": EVENTS},
        "/api/v1/subscribers/{external_id}": _record("A subscriber (buyer) of the business", "external_id",
                                                     "Subscriber"),
        "/api/v1/orders/{reference}": _record("An order's latest snapshot and its events", "reference",
                                              "OrderWithEvents"),
    }  # fmt: skip


MONEY = nullable({"type": "string", "description": "exact decimal"})
SUBSCRIBER = exact_object(
    {"external_id": STRING, "source": STRING}
    | dict.fromkeys(("nickname", "first_name", "last_name", "email", "phone"), nullable(STRING))
    | {"first_seen_at": TIME, "updated_at": TIME}
)
ORDER = exact_object(
    {"reference": STRING, "source": STRING, "pack_id": nullable(STRING), "status": STRING,
     "currency": nullable(STRING), "total_amount": MONEY, "paid_amount": MONEY,
     "items": {"type": "array", "items": {"type": "object"}}, "shipment_id": nullable(STRING),
     "subscriber_external_id": nullable(STRING), "created_at": nullable(TIME), "changed_at": nullable(TIME),
     "fetched_at": TIME, "events": {"type": "array", "items": ref("Event")}}
)  # fmt: skip
EVENT_PAGE = exact_object(
    {
        "events": {"type": "array", "items": ref("Event")},
        "has_more": {"type": "boolean"},
        "next_after": nullable({"type": "integer", "minimum": 0}),
        "next_cursor": nullable(STRING),
    }
)
RECORD_SCHEMAS: Doc = {"EventPage": EVENT_PAGE, "Subscriber": SUBSCRIBER, "OrderWithEvents": ORDER}
