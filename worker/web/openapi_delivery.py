"""The OpenAPI description of the delivery routes (worker/web/delivery_api.py)."""

from __future__ import annotations

from worker.delivery.connect import TOKEN_PATTERN
from worker.store.delivery_models import DeliveryStatus
from worker.web.event_params import MAX_AFTER, MAX_LIMIT
from worker.web.openapi_parts import (
    API_DOWN,
    BEARER,
    ID,
    JSON,
    STRING,
    TEXT,
    TIME,
    TOO_LARGE,
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
STATUS = {"type": "string", "enum": [status.value for status in DeliveryStatus]}
HISTORY = {"oneOf": [{"type": "string", "enum": ["all", "none"]}, {"type": "integer", "minimum": 0, "maximum": 3650}]}
DELIVERY_SCHEMAS: Doc = {
    "HellotextRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {"token": {"type": "string", "pattern": TOKEN_PATTERN,
                                 "description": "Hellotext private API token"},
                       "paused": {"type": "boolean"}, "history": HISTORY},
    },
    "Hellotext": exact_object({"status": STRING, "paused": {"type": "boolean"}, "history_days": HISTORY,
                               "connected_at": TIME}),
    "Delivery": exact_object({
        "id": ID, "event_id": ID, "action": STRING, "tracked_at": TIME, "status": STATUS,
        "attempts": {"type": "integer", "minimum": 0}, "last_status": nullable({"type": "integer"}),
        "reason": nullable(STRING), "due_at": TIME, "delivered_at": nullable(TIME),
    }),
    "DeliveryPage": exact_object({
        "deliveries": {"type": "array", "items": ref("Delivery")},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "next_after": {"type": "integer", "minimum": 0},
    }),
    "DeliveryRetried": exact_object({"id": ID, "status": STRING}),
}  # fmt: skip
DELIVERY_ID = {"name": "delivery_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 0, "maximum": 10**15 - 1}}  # fmt: skip


def delivery_paths() -> Doc:
    put = {
        "summary": "Set the business's Hellotext token (checked with Hellotext) and delivery options",
        "security": BEARER,
        "requestBody": {"required": False, "content": {JSON: {"schema": ref("HellotextRequest")}}},
        "responses": {"200": json_answer("The settings (never the token)", "Hellotext"),
                      "400": json_answer("Body not valid", "Error"),
                      "409": json_answer("No token set yet", "Error"),
                      "413": TOO_LARGE,
                      "422": json_answer("Hellotext refused the token", "Error"), **KEYED},
    }  # fmt: skip
    listed = {
        "summary": "The business's deliveries to Hellotext, oldest first, and their count by status",
        "security": BEARER,
        "parameters": [query("status", STATUS),
                       query("after", {"type": "integer", "minimum": 0, "maximum": MAX_AFTER, "default": 0}),
                       query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100})],
        "responses": {"200": json_answer("A page of deliveries", "DeliveryPage"),
                      "400": json_answer("Bad status, after or limit", "Error"), **KEYED},
    }  # fmt: skip
    retry = {
        "summary": "Send a delivery in review (or skipped) again",
        "security": BEARER,
        "parameters": [DELIVERY_ID],
        "responses": {"200": json_answer("Pending again", "DeliveryRetried"),
                      "404": {"description": "No such delivery to retry",
                              "content": {JSON: {"schema": ref("Error")}, TEXT: {}}}, **KEYED},
    }  # fmt: skip
    return {
        "/api/v1/hellotext": {"put": put},
        "/api/v1/deliveries": {"get": listed},
        "/api/v1/deliveries/{delivery_id}/retry": {"post": retry},
    }
