"""GET /openapi.json (internal: the internal port, or the internal token): the OpenAPI 3.1 description of
everything the web process serves.

Every route `create_app` registers is described (HEAD is aiohttp's automatic twin of GET), with a response for
every status the route answers, errors included: JSON errors of our own, aiohttp's plain-text 404/413, and the
HTML pages (`openapi_pages`). `tests/fuzz` runs schemathesis against the live app loaded from this document,
and checks that the document and the router list the same routes, so neither can drift.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from aiohttp import web

from worker import __version__
from worker.web.edge import internal_only
from worker.web.keys import OPTIONS
from worker.web.openapi_delivery import DELIVERY_SCHEMAS, delivery_paths
from worker.web.openapi_pages import page_paths
from worker.web.openapi_parts import (
    ACCOUNT_ID,
    API_DOWN,
    BEARER,
    HTML,
    JSON,
    NO_ROUTE,
    NOT_INTERNAL,
    OPENAPI_PATH,
    SCHEMAS,
    TEXT,
    TOO_LARGE,
    TOO_MANY_KEYS,
    UNAUTHORIZED,
    Doc,
    content,
    json_answer,
    ref,
)
from worker.web.openapi_records import RECORD_SCHEMAS, record_paths
from worker.web.openapi_webhooks import WEBHOOK_SCHEMAS, webhook_paths
from worker.web.webhooks import MAX_WEBHOOK_BODY

SECRET = {"name": "secret", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
WEBHOOK = {
    "summary": "Receive an ML notification: record it durably, enqueue it, answer. No ML API call.",
    "requestBody": {"required": True, "content": {JSON: {"schema": ref("Notification")}}},
    "responses": {
        "200": json_answer("Recorded: pending work, throttled (the seller's catch-up covers it), or ignored (topic "
                           "not processed, unknown/disconnected seller)", "WebhookAccepted"),
        "400": json_answer("Malformed notification, or a resource that is not an ML API path", "WebhookProblem"),
        "403": json_answer("Notification of another application, or from a source not allowed", "WebhookProblem"),
        "404": json_answer("Not the path the settings use (MELI_WEBHOOK_PATH_SECRET)", "WebhookProblem"),
        "408": json_answer("Body not received in time", "WebhookProblem"),
        "413": json_answer(f"Body larger than {MAX_WEBHOOK_BODY} bytes", "WebhookProblem"),
        "503": json_answer("Not recorded (database down): ML will retry", "WebhookProblem"),
    },
}  # fmt: skip
DOCS = {"200": content("The business API as HTML", HTML)}
KEYED = {"401": UNAUTHORIZED, "429": TOO_MANY_KEYS, "503": API_DOWN}
LINKS = {
    "summary": "A connect link the business sends to a merchant (single use, MELI_CONNECT_LINK_TTL_HOURS)",
    "security": BEARER,
    "requestBody": {"required": False, "content": {JSON: {"schema": ref("ConnectLinkRequest")}}},
    "responses": {"201": json_answer("The link", "ConnectLink"), "400": json_answer("Body or site not valid", "Error"),
                  "413": TOO_LARGE, **KEYED},
}  # fmt: skip
LINK_ID = {"name": "link_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0,
                                                                            "maximum": 10**15 - 1}}  # fmt: skip
NO_LINK = {"description": "No such link for this business", "content": {JSON: {"schema": ref("Error")}, TEXT: {}}}
ACCOUNT_NOT_FOUND = {"description": NO_ROUTE, "content": {JSON: {"schema": ref("Error")}, TEXT: {}}}


def _account_route(summary: str, schema: str) -> Doc:
    responses = {"200": json_answer(summary, schema), "404": ACCOUNT_NOT_FOUND, **KEYED}
    return {"summary": summary, "security": BEARER, "parameters": [ACCOUNT_ID], "responses": responses}


def _internal(summary: str, answer: Doc) -> Doc:
    return {"get": {"summary": summary, "responses": {"200": answer, "404": NOT_INTERNAL}}}


def _link_routes() -> Doc:
    revoke = {"summary": "Revoke a connect or owner link of the business", "security": BEARER,
              "parameters": [LINK_ID], "responses": {"200": json_answer("Revoked", "LinkRevoked"), "404": NO_LINK,
                                                     **KEYED}}  # fmt: skip
    owner = {"summary": "An owner link: opens, once, a browser session over every account of the business",
             "security": BEARER, "responses": {"201": json_answer("The link", "OwnerLink"), **KEYED}}  # fmt: skip
    sessions = {"summary": "Revoke every browser session and open link of the business", "security": BEARER,
                "responses": {"200": json_answer("Revoked", "SessionsRevoked"), **KEYED}}  # fmt: skip
    return {
        "/api/v1/connect-links": {"post": LINKS},
        "/api/v1/connect-links/{link_id}": {"delete": revoke},
        "/api/v1/owner-links": {"post": owner},
        "/api/v1/sessions/revoke": {"post": sessions},
    }


def viewer_paths() -> Doc:
    """The API viewer of /docs: its files (from the swagger-ui-py package) and the document it shows."""
    name = {
        "name": "name",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": ["swagger-ui.css", "swagger-ui-bundle.js", "LICENSE"]},
    }
    asset = {"summary": "A file of the viewer", "parameters": [name],
             "responses": {"200": content("The file", "text/css", "text/javascript", TEXT),
                           "404": content("No such file", TEXT)}}  # fmt: skip
    return {
        "/docs/assets/{name}": {"get": asset},
        "/docs/viewer.js": {"get": {"summary": "Starts the viewer",
                                    "responses": {"200": content("The script", "text/javascript")}}},
        "/docs/openapi.json": {"get": {"summary": "The /api/ routes of this document",
                                       "responses": {"200": json_answer("OpenAPI 3.1", "OpenApi")}}},
    }  # fmt: skip


def api_paths() -> Doc:
    """The machine-facing routes: ML's webhook, the business API (Bearer key), health, metrics, this document."""
    listed = {"200": json_answer("The accounts", "AccountList"), **KEYED}
    health = {"200": json_answer("Healthy", "Health"), "503": json_answer("A check failed", "Health")}
    details = {"200": json_answer("Healthy", "HealthDetails"), "503": json_answer("A check failed", "HealthDetails"),
               "404": NOT_INTERNAL}  # fmt: skip
    backfill = "The account's import of past orders: runs, progress and event coverage"
    return {
        "/webhooks/mercadolibre": {"post": WEBHOOK},
        "/webhooks/mercadolibre/{secret}": {"post": {**WEBHOOK, "parameters": [SECRET]}},
        **record_paths(),
        **_link_routes(),
        **delivery_paths(),
        **webhook_paths(),
        "/api/v1/accounts": {
            "get": {"summary": "The business's seller accounts", "security": BEARER, "responses": listed}
        },
        "/api/v1/accounts/{account_id}": {"get": _account_route("One seller account of the business", "Account")},
        "/api/v1/accounts/{account_id}/backfill": {"get": _account_route(backfill, "Backfill")},
        "/healthz": {"get": {"summary": "ok or failing, nothing more", "responses": health}},
        "/healthz/details": {"get": {"summary": "Version and live database/Redis checks", "responses": details}},
        "/metrics": _internal("Prometheus metrics", content("Metrics", TEXT)),
        OPENAPI_PATH: _internal("This document", json_answer("OpenAPI 3.1", "OpenApi")),
        "/docs": {"get": {"summary": "The business API routes of this document as a page", "responses": DOCS}},
        **viewer_paths(),
    }


def build_document(redirect_uri: str) -> Doc:
    callback_path = urlsplit(redirect_uri).path or "/oauth/callback"
    return {
        "openapi": "3.1.0",
        "info": {"title": "meli-events", "version": __version__},
        "paths": api_paths() | page_paths(callback_path),
        "components": {
            "schemas": SCHEMAS | DELIVERY_SCHEMAS | RECORD_SCHEMAS | WEBHOOK_SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "The business API key"},
                "session": {"type": "apiKey", "in": "cookie", "name": "meli_session"},
            },
        },
    }


def setup(app: web.Application) -> None:
    body = json.dumps(build_document(app[OPTIONS].redirect_uri), indent=1).encode()

    async def openapi(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=JSON)

    app.router.add_get(OPENAPI_PATH, internal_only(app[OPTIONS].internal, openapi))
