"""The building blocks of the OpenAPI document (`openapi`): helpers, shared responses and the schemas."""

from __future__ import annotations

from typing import Any

from connectors.events import Origin
from connectors.mercadolibre.constants import SITES
from connectors.mercadolibre.mapping import EMITTED_ACTIONS
from connectors.mercadolibre.notifications import MAX_ID, TOPICS
from worker.store.models import AccountStatus, BackfillStatus

JSON, HTML, TEXT, FORM = "application/json", "text/html", "text/plain", "application/x-www-form-urlencoded"
OPENAPI_PATH = "/openapi.json"
Doc = dict[str, Any]
BEARER: list[Doc] = [{"bearerAuth": []}]
SESSION: list[Doc] = [{"session": []}]


def ref(name: str) -> Doc:
    return {"$ref": f"#/components/schemas/{name}"}


def json_answer(description: str, schema: str, **headers: Doc) -> Doc:
    response: Doc = {"description": description, "content": {JSON: {"schema": ref(schema)}}}
    return response | ({"headers": headers} if headers else {})


def content(description: str, *media: str) -> Doc:
    return {"description": description, "content": {m: {"schema": {"type": "string"}} for m in media}}


def header(description: str) -> Doc:
    return {"description": description, "required": True, "schema": {"type": "string", "minLength": 1}}


def nullable(schema: Doc) -> Doc:
    return {**schema, "type": [schema["type"], "null"]}


def exact_object(properties: dict[str, Doc]) -> Doc:
    """A JSON object with exactly these properties, all required."""
    return {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}


STRING: Doc = {"type": "string"}
TIME: Doc = {"type": "string", "format": "date-time"}
ID: Doc = {"type": "integer", "minimum": 1}
ML_NUMBER = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
        {"type": "string", "pattern": "^(?:[1-9][0-9]{0,17}|[1-8][0-9]{18})$"},
    ],
}
_DAY = r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
ML_TIME: Doc = {
    "type": "string",
    "format": "date-time",
    "pattern": rf"^[1-9][0-9]{{3}}-{_DAY}T{_CLOCK}(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$",
    "description": "ISO 8601, as ML sends it (2026-11-20T14:05:33.412Z); without an offset it is read as UTC",
}
NO_NUL = r"^[^\x00]*$"
WORDS = r"^[^\x00]*[^\s\x00][^\x00]*$"  # not only spaces, no NUL
RESOURCES = "; ".join(f"{topic.value}: {rule.canonical}" for topic, rule in TOPICS.items())
NOTIFICATION = {
    "type": "object",
    "description": f"An ML notification. For processed topics `resource` must be the API path ({RESOURCES}); "
    "other topics are recorded as ignored and never fetched.",
    "required": ["topic", "resource", "user_id", "application_id"],
    "properties": {
        "_id": {"anyOf": [{"type": ["integer", "null"]}, {"type": "string", "maxLength": MAX_ID, "pattern": NO_NUL}]},
        "topic": {"type": "string", "maxLength": 512, "pattern": WORDS},
        "resource": {"type": "string", "maxLength": 512, "pattern": WORDS},
        "user_id": ML_NUMBER,
        "application_id": ML_NUMBER,
        "attempts": nullable({"type": "integer", "minimum": 0, "maximum": 2**31 - 1}),
        "sent": nullable(ML_TIME),
        "received": nullable(ML_TIME),
        "actions": nullable({"type": "array", "items": STRING}),
    },
}
EVENT = exact_object(
    {
        "id": ID,
        "business_id": ID,
        "action": {"type": "string", "enum": list(EMITTED_ACTIONS)},
        "tracked_at": TIME,
        "amount": nullable({"type": "string", "description": "exact decimal"}),
        "currency": nullable(STRING),
        "order_reference": nullable(STRING),
        "subscriber_external_id": STRING,
        "dedupe_key": STRING,
        "origin": {"type": "string", "enum": [o.value for o in Origin]},
        "source": STRING,
        "properties": {"type": "object"},
        "recorded_at": TIME,
    }
)
ACCOUNT = exact_object(
    {
        "id": ID,
        "seller_id": ID,
        "nickname": STRING,
        "site_id": STRING,
        "status": {"type": "string", "enum": [s.value for s in AccountStatus]},
        "connected_at": TIME,
        "token_expires_at": nullable(TIME),
        "last_notification_at": nullable(TIME),
        "last_event_at": nullable(TIME),
    }
)
COUNTS: Doc = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
COUNT: Doc = {"type": "integer", "minimum": 0}
NUMBER: Doc = {"type": "number", "minimum": 0}
BACKFILL_RUN = exact_object(
    {"id": ID, "phase": STRING, "status": {"type": "string", "enum": [s.value for s in BackfillStatus]}}
    | {"since": nullable(TIME), "until": nullable(TIME), "reason": nullable(STRING)}
    | dict.fromkeys(("orders_found", "orders_processed", "orders_failed", "events_added", "api_calls"), COUNT)
    | {
        "api_calls_per_order": nullable(NUMBER),
        "orders_per_second": nullable(NUMBER),
        "eta_seconds": nullable(NUMBER),
    }
    | {"windows": exact_object(dict.fromkeys(("pending", "done", "split"), COUNT))}
    | dict.fromkeys(("created_at", "started_at", "updated_at", "finished_at"), nullable(TIME))
)
BACKFILL = exact_object(
    {
        "account_id": ID,
        "seller_id": ID,
        "account_status": {"type": "string", "enum": [s.value for s in AccountStatus]},
        "status": {"type": "string", "enum": ["none", *(s.value for s in BackfillStatus)]},
        "runs": {"type": "array", "items": ref("BackfillRun")},
        "coverage": exact_object(
            {"events_by_origin": COUNTS, "historical_events": COUNT, "notifications_by_origin": COUNTS}
        ),
    }
)
SCHEMAS: Doc = {
    "OpenApi": {"type": "object", "required": ["openapi", "info", "paths", "components"]},
    "Notification": NOTIFICATION,
    "WebhookAccepted": exact_object(
        {"status": {"type": "string", "enum": ["pending", "ignored", "throttled"]}, "id": ID}
    ),
    "WebhookProblem": exact_object({"error": STRING}),
    "Error": exact_object({"error": STRING, "message": STRING}),
    "Event": EVENT,
    "ConnectLinkRequest": {
        "type": "object",
        "properties": {"site": {"type": ["string", "null"], "enum": [*sorted(SITES), None]}},
    },
    "ConnectLink": exact_object(
        {"id": ID, "url": STRING, "business_id": ID, "site": nullable(STRING), "expires_at": TIME}
    ),
    "OwnerLink": exact_object({"id": ID, "url": STRING, "business_id": ID, "expires_at": TIME}),
    "LinkRevoked": exact_object({"id": ID, "revoked": {"type": "boolean", "const": True}}),
    "SessionsRevoked": exact_object({"business_id": ID, "links_revoked": {"type": "integer", "minimum": 0}}),
    "Account": ACCOUNT,
    "Backfill": BACKFILL,
    "BackfillRun": BACKFILL_RUN,
    "AccountList": exact_object({"accounts": {"type": "array", "items": ref("Account")}}),
    "Health": exact_object({"status": {"type": "string", "enum": ["ok", "failing"]}}),
    "HealthDetails": exact_object(
        {
            "status": {"type": "string", "enum": ["ok", "degraded"]},
            "version": STRING,
            "environment": STRING,
            "checks": exact_object({"database": STRING, "redis": STRING}),
        }
    ),
}


UNAUTHORIZED = json_answer("No or wrong API key", "Error", **{"WWW-Authenticate": header("Bearer realm")})
TOO_MANY_KEYS = json_answer("Too many wrong API keys from this address", "Error", **{"Retry-After": header("seconds")})
API_DOWN = json_answer("The database or Redis did not answer", "Error")
PAGE_DOWN = content("The database, Redis or ML did not answer", HTML)
TOO_LARGE = content("Body larger than the server accepts", TEXT)
REDIRECT = {"description": "See other", "headers": {"Location": header("where to go next")}}
NOT_INTERNAL = content("Not served to this request: the internal port, or the internal token, only", TEXT)
ACCOUNT_ID = {
    "name": "account_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": 10**15 - 1},
}
NO_ROUTE = "Not found: no such account for this business, or not an account id (aiohttp's plain 404)"


def query(name: str, schema: Doc, required: bool = False) -> Doc:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def form(*fields: str) -> Doc:
    schema = {"type": "object", "properties": dict.fromkeys(fields, STRING)}
    return {"required": True, "content": {FORM: {"schema": schema}}}


def html(description: str) -> Doc:
    return content(description, HTML)
