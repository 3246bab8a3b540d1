"""GET /openapi.json: the OpenAPI 3.1 description of everything the web process serves.

Every route `create_app` registers is described (HEAD is aiohttp's automatic twin of GET), with a response for
every status the route answers, errors included: JSON errors of our own, aiohttp's plain-text 404/413, and the
HTML pages. `tests/fuzz` runs schemathesis against the live app loaded from this document, and checks that the
document and the router list the same routes, so neither can drift.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from connectors.events import Action, Origin
from connectors.mercadolibre.notifications import TOPICS
from worker import __version__
from worker.settings import Settings
from worker.store.models import AccountStatus, BackfillStatus
from worker.web.events_api import MAX_LIMIT
from worker.web.keys import CONTEXT
from worker.web.webhooks import MAX_WEBHOOK_BODY

JSON, HTML, TEXT, FORM = "application/json", "text/html", "text/plain", "application/x-www-form-urlencoded"
OPENAPI_PATH = "/openapi.json"
Doc = dict[str, Any]
BEARER: list[Doc] = [{"bearerAuth": []}]
SESSION: list[Doc] = [{"session": []}]


def _ref(name: str) -> Doc:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: str, **headers: Doc) -> Doc:
    response: Doc = {"description": description, "content": {JSON: {"schema": _ref(schema)}}}
    return response | ({"headers": headers} if headers else {})


def _content(description: str, *media: str) -> Doc:
    return {"description": description, "content": {m: {"schema": {"type": "string"}} for m in media}}


def _header(description: str) -> Doc:
    return {"description": description, "required": True, "schema": {"type": "string", "minLength": 1}}


def _nullable(schema: Doc) -> Doc:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict[str, Doc]) -> Doc:
    """A JSON object with exactly these properties, all required."""
    return {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}


STRING: Doc = {"type": "string"}
TIME: Doc = {"type": "string", "format": "date-time"}
ID: Doc = {"type": "integer", "minimum": 1}
ML_NUMBER = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
        {"type": "string", "pattern": "^[0-9]{1,19}$"},
    ],
}
RESOURCES = "; ".join(f"{topic.value}: {rule.canonical}" for topic, rule in TOPICS.items())
NOTIFICATION = {
    "type": "object",
    "description": f"An ML notification. For processed topics `resource` must be the API path ({RESOURCES}); "
    "other topics are recorded as ignored and never fetched.",
    "required": ["topic", "resource", "user_id", "application_id"],
    "properties": {
        "_id": {"type": ["string", "integer", "null"]},
        "topic": {"type": "string", "minLength": 1, "maxLength": 512},
        "resource": {"type": "string", "minLength": 1, "maxLength": 512},
        "user_id": ML_NUMBER,
        "application_id": ML_NUMBER,
        "attempts": _nullable({"type": "integer", "minimum": 0, "maximum": 2**31 - 1}),
        "sent": _nullable(TIME),
        "received": _nullable(TIME),
        "actions": _nullable({"type": "array", "items": STRING}),
    },
}
EVENT = _object(
    {
        "id": ID,
        "business_id": ID,
        "action": {"type": "string", "enum": [a.value for a in Action]},
        "tracked_at": TIME,
        "amount": _nullable({"type": "string", "description": "exact decimal"}),
        "currency": _nullable(STRING),
        "order_reference": _nullable(STRING),
        "subscriber_external_id": STRING,
        "dedupe_key": STRING,
        "origin": {"type": "string", "enum": [o.value for o in Origin]},
        "source": STRING,
        "properties": {"type": "object"},
        "recorded_at": TIME,
    }
)
ACCOUNT = _object(
    {
        "id": ID,
        "seller_id": ID,
        "nickname": STRING,
        "site_id": STRING,
        "status": {"type": "string", "enum": [s.value for s in AccountStatus]},
        "connected_at": TIME,
        "token_expires_at": _nullable(TIME),
        "last_notification_at": _nullable(TIME),
        "last_event_at": _nullable(TIME),
    }
)
COUNTS: Doc = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
COUNT: Doc = {"type": "integer", "minimum": 0}
NUMBER: Doc = {"type": "number", "minimum": 0}
BACKFILL_RUN = _object(
    {"id": ID, "phase": STRING, "status": {"type": "string", "enum": [s.value for s in BackfillStatus]}}
    | {"since": _nullable(TIME), "until": _nullable(TIME), "reason": _nullable(STRING)}
    | dict.fromkeys(("orders_found", "orders_processed", "orders_failed", "events_added", "api_calls"), COUNT)
    | {
        "api_calls_per_order": _nullable(NUMBER),
        "orders_per_second": _nullable(NUMBER),
        "eta_seconds": _nullable(NUMBER),
    }
    | {"windows": _object(dict.fromkeys(("pending", "done", "split"), COUNT))}
    | dict.fromkeys(("created_at", "started_at", "updated_at", "finished_at"), _nullable(TIME))
)
BACKFILL = _object(
    {
        "account_id": ID,
        "seller_id": ID,
        "account_status": {"type": "string", "enum": [s.value for s in AccountStatus]},
        "status": {"type": "string", "enum": ["none", *(s.value for s in BackfillStatus)]},
        "runs": {"type": "array", "items": _ref("BackfillRun")},
        "coverage": _object(
            {"events_by_origin": COUNTS, "historical_events": COUNT, "notifications_by_origin": COUNTS}
        ),
    }
)
SCHEMAS: Doc = {
    "OpenApi": {"type": "object", "required": ["openapi", "info", "paths", "components"]},
    "Notification": NOTIFICATION,
    "WebhookAccepted": _object({"status": {"type": "string", "enum": ["pending", "ignored"]}, "id": ID}),
    "WebhookProblem": _object({"error": STRING}),
    "Error": _object({"error": STRING, "message": STRING}),
    "Event": EVENT,
    "EventPage": _object({"events": {"type": "array", "items": _ref("Event")}, "next_after": {"type": "integer"}}),
    "ConnectLinkRequest": {"type": "object", "properties": {"site": _nullable(STRING)}},
    "ConnectLink": _object({"url": STRING, "business_id": ID, "site": _nullable(STRING), "expires_at": TIME}),
    "Account": ACCOUNT,
    "Backfill": BACKFILL,
    "BackfillRun": BACKFILL_RUN,
    "AccountList": _object({"accounts": {"type": "array", "items": _ref("Account")}}),
    "Health": _object(
        {
            "status": {"type": "string", "enum": ["ok", "degraded"]},
            "version": STRING,
            "environment": STRING,
            "checks": _object({"database": STRING, "redis": STRING}),
        }
    ),
}

UNAUTHORIZED = _json("No or wrong API key", "Error", **{"WWW-Authenticate": _header("Bearer realm")})
API_DOWN = _json("The database or Redis did not answer", "Error")
PAGE_DOWN = _content("The database, Redis or ML did not answer", HTML)
TOO_LARGE = _content("Body larger than the server accepts", TEXT)
REDIRECT = {"description": "See other", "headers": {"Location": _header("where to go next")}}
ACCOUNT_ID = {
    "name": "account_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": 10**15 - 1},
}
NO_ROUTE = "Not found: no such account for this business, or not an account id (aiohttp's plain 404)"


def _query(name: str, schema: Doc, required: bool = False) -> Doc:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _form(*fields: str) -> Doc:
    schema = {"type": "object", "properties": dict.fromkeys(fields, STRING)}
    return {"required": True, "content": {FORM: {"schema": schema}}}


WEBHOOK = {
    "summary": "Receive an ML notification: record it durably, enqueue it, answer. No ML API call.",
    "requestBody": {"required": True, "content": {JSON: {"schema": _ref("Notification")}}},
    "responses": {
        "200": _json("Recorded: pending work, or ignored (topic not processed, unknown/disconnected seller)",
                     "WebhookAccepted"),
        "400": _json("Malformed notification, or a resource that is not an ML API path", "WebhookProblem"),
        "403": _json("Notification of another application", "WebhookProblem"),
        "408": _json("Body not received in time", "WebhookProblem"),
        "413": _json(f"Body larger than {MAX_WEBHOOK_BODY} bytes", "WebhookProblem"),
        "503": _json("Not recorded (database down): ML will retry", "WebhookProblem"),
    },
}  # fmt: skip
EVENTS = {
    "summary": "The business's events, oldest first; continue with `after` = `next_after`.",
    "security": BEARER,
    "parameters": [
        _query("after", {"type": "integer", "minimum": 0, "maximum": 10**18 - 1, "default": 0}),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}),
    ],
    "responses": {"200": _json("A page of events", "EventPage"), "400": _json("Bad `after` or `limit`", "Error"),
                  "401": UNAUTHORIZED, "503": API_DOWN},
}  # fmt: skip
LINKS = {
    "summary": "A connect link the business sends to a merchant",
    "security": BEARER,
    "requestBody": {"required": False, "content": {JSON: {"schema": _ref("ConnectLinkRequest")}}},
    "responses": {"201": _json("The link", "ConnectLink"), "400": _json("Body or site not valid", "Error"),
                  "401": UNAUTHORIZED, "413": TOO_LARGE, "503": API_DOWN},
}  # fmt: skip
ACCOUNT_NOT_FOUND = {"description": NO_ROUTE, "content": {JSON: {"schema": _ref("Error")}, TEXT: {}}}


def _account_route(summary: str, schema: str) -> Doc:
    responses = {"200": _json(summary, schema), "401": UNAUTHORIZED, "404": ACCOUNT_NOT_FOUND, "503": API_DOWN}
    return {"summary": summary, "security": BEARER, "parameters": [ACCOUNT_ID], "responses": responses}


def api_paths() -> Doc:
    """The machine-facing routes: ML's webhook, the business API (Bearer key), health and metrics."""
    listed = {"200": _json("The accounts", "AccountList"), "401": UNAUTHORIZED, "503": API_DOWN}
    health = {"200": _json("Healthy", "Health"), "503": _json("A check failed", "Health")}
    backfill = "The account's import of past orders: runs, progress and event coverage"
    return {
        "/webhooks/mercadolibre": {"post": WEBHOOK},
        "/api/v1/events": {"get": EVENTS},
        "/api/v1/connect-links": {"post": LINKS},
        "/api/v1/accounts": {
            "get": {"summary": "The business's seller accounts", "security": BEARER, "responses": listed}
        },
        "/api/v1/accounts/{account_id}": {"get": _account_route("One seller account of the business", "Account")},
        "/api/v1/accounts/{account_id}/backfill": {"get": _account_route(backfill, "Backfill")},
        "/healthz": {"get": {"summary": "Version and live database/Redis checks", "responses": health}},
        "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": _content("Metrics", TEXT)}}},
        OPENAPI_PATH: {"get": {"summary": "This document", "responses": {"200": _json("OpenAPI 3.1", "OpenApi")}}},
    }


def page_paths(callback_path: str) -> Doc:
    """The merchant's HTML pages: connect link, OAuth callback, account status (signed session cookie)."""
    connect = {"parameters": [_query("token", STRING)],
               "responses": {"200": _content("Connect page", HTML), "400": _content("Link not valid", HTML),
                             "410": _content("Link expired", HTML), "503": PAGE_DOWN}}  # fmt: skip
    start = {"requestBody": _form("token", "site"),
             "responses": {"303": REDIRECT, "400": _content("Link or site not valid", HTML),
                           "410": _content("Link expired", HTML), "413": TOO_LARGE, "503": PAGE_DOWN}}  # fmt: skip
    callback = {"parameters": [_query(name, STRING) for name in ("code", "state", "error")],
                "responses": {"200": _content("Access denied by the merchant", HTML), "303": REDIRECT,
                              "400": _content("Sign-in not valid", HTML), "409": _content("Seller taken", HTML),
                              "502": _content("ML did not answer", HTML), "503": PAGE_DOWN}}  # fmt: skip
    not_found = _content(NO_ROUTE, HTML, TEXT)
    show = {"security": SESSION, "parameters": [ACCOUNT_ID],
            "responses": {"200": _content("Account status", HTML), "401": _content("No session", HTML),
                          "404": not_found, "503": PAGE_DOWN}}  # fmt: skip
    disconnect = {"security": SESSION, "parameters": [ACCOUNT_ID], "requestBody": _form("csrf"),
                  "responses": {"303": REDIRECT, "401": _content("No session", HTML), "403": _content("Bad form", HTML),
                                "404": not_found, "413": TOO_LARGE, "503": PAGE_DOWN}}  # fmt: skip
    return {
        "/connect": {"get": connect},
        "/connect/start": {"post": start},
        callback_path: {"get": callback},
        "/accounts/{account_id}": {"get": show},
        "/accounts/{account_id}/disconnect": {"post": disconnect},
    }


def build_document(settings: Settings) -> Doc:
    callback_path = urlsplit(settings.ml_redirect_uri).path or "/oauth/callback"
    return {
        "openapi": "3.1.0",
        "info": {"title": "meli-events", "version": __version__},
        "paths": api_paths() | page_paths(callback_path),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "The business API key"},
                "session": {"type": "apiKey", "in": "cookie", "name": "meli_session"},
            },
        },
    }


def setup(app: web.Application) -> None:
    body = json.dumps(build_document(app[CONTEXT].settings), indent=1).encode()

    async def openapi(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=JSON)

    app.router.add_get(OPENAPI_PATH, openapi)
