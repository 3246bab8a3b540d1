"""The OpenAPI description of the outbound webhook endpoint routes (worker/web/endpoints_api.py)."""

from __future__ import annotations

from worker.delivery.addresses import MAX_URL
from worker.store.webhook_models import EndpointStatus
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
    ref,
)

KEYED = {"401": UNAUTHORIZED, "429": TOO_MANY_KEYS, "503": API_DOWN}
ENDPOINT = {
    "id": ID, "url": STRING, "status": {"type": "string", "enum": [status.value for status in EndpointStatus]},
    "reason": nullable(STRING), "created_at": TIME,
    "messages": {"type": "object", "additionalProperties": {"type": "integer"}},
}  # fmt: skip
URL = {
    "type": "string", "maxLength": MAX_URL, "pattern": r"^https?://[^\s/?#@:\[\]]+(:[0-9]{1,5})?([/?#]\S*)?$",
    "description": "https URL that receives messages (http and local addresses only where the deployment allows "
                   "them); refused with 422 when its host does not resolve or resolves to a non-public address",
}  # fmt: skip
SECRET = {"type": "string", "pattern": "^whsec_", "description": "The signing secret, shown only in this answer"}
WEBHOOK_SCHEMAS: Doc = {
    "WebhookRequest": exact_object({"url": URL}),
    "WebhookEndpoint": exact_object(ENDPOINT),
    "NewWebhookEndpoint": exact_object({**ENDPOINT, "secret": SECRET}),
    "WebhookEndpointList": exact_object({"webhooks": {"type": "array", "items": ref("WebhookEndpoint")}}),
    "WebhookEndpointRemoved": exact_object({"id": ID, "removed": {"type": "boolean"}}),
    "WebhookEndpointResumed": exact_object({"id": ID, "status": STRING,
                                            "messages_due": {"type": "integer", "minimum": 0}}),
}  # fmt: skip
ENDPOINT_ID = {"name": "endpoint_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 0, "maximum": 10**9 - 1}}  # fmt: skip
NO_ENDPOINT = {"description": "No such endpoint for this business", "content": {JSON: {"schema": ref("Error")},
                                                                                  TEXT: {}}}  # fmt: skip


def webhook_paths() -> Doc:
    post = {
        "summary": "Add an outbound webhook endpoint; its signing secret is in this answer only",
        "security": BEARER,
        "requestBody": {"required": True, "content": {JSON: {"schema": ref("WebhookRequest")}}},
        "responses": {"201": json_answer("The endpoint and its secret", "NewWebhookEndpoint"),
                      "400": json_answer("Body not valid", "Error"), "413": TOO_LARGE,
                      "422": json_answer("The URL may not receive (not https, or not a public address)", "Error"),
                      **KEYED},
    }  # fmt: skip
    listed = {
        "summary": "The business's outbound webhook endpoints (never their secrets) and their messages by status",
        "security": BEARER,
        "responses": {"200": json_answer("The endpoints", "WebhookEndpointList"), **KEYED},
    }
    delete = {
        "summary": "Remove an outbound webhook endpoint and its messages",
        "security": BEARER,
        "parameters": [ENDPOINT_ID],
        "responses": {"200": json_answer("Removed", "WebhookEndpointRemoved"), "404": NO_ENDPOINT, **KEYED},
    }
    resume = {
        "summary": "Make a disabled endpoint active again and its messages in review due now",
        "security": BEARER,
        "parameters": [ENDPOINT_ID],
        "responses": {"200": json_answer("Active again", "WebhookEndpointResumed"), "404": NO_ENDPOINT, **KEYED},
    }
    return {
        "/api/v1/webhooks": {"post": post, "get": listed},
        "/api/v1/webhooks/{endpoint_id}": {"delete": delete},
        "/api/v1/webhooks/{endpoint_id}/resume": {"post": resume},
    }
