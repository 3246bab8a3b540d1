"""The merchant's HTML pages in the OpenAPI document: connect and owner links, the OAuth callback and its
confirmation, the account pages (signed session cookie)."""

from __future__ import annotations

from connectors.mercadolibre.constants import SITES
from worker.connect.flow import MAX_CODE_LENGTH
from worker.connect.state import STATE_PATTERN
from worker.store.links import LINK_SHAPE
from worker.web.openapi_parts import (
    ACCOUNT_ID,
    FORM,
    NO_ROUTE,
    PAGE_DOWN,
    REDIRECT,
    SESSION,
    STRING,
    TEXT,
    TOO_LARGE,
    Doc,
    content,
    form,
    header,
    html,
    query,
)

LINK_TOKEN: Doc = {"type": "string", "pattern": LINK_SHAPE, "description": "the token of the link's URL"}
SITE: Doc = {"type": "string", "enum": sorted(SITES)}
LINK_PAGES: Doc = {
    "400": html("No link token, or not the shape of one"),
    "404": html("No such link"),
    "410": html("Link expired, used or withdrawn"),
}
FAILED_SIGN_IN: Doc = {
    "404": html("No sign-in in progress under this state (used, more than 10 minutes old, or made up)"),
    "200": html("Access denied by the merchant, or the question to confirm a sign-in from another browser"),
    "303": REDIRECT,
    "400": html("Sign-in not valid: no state or not the shape of one, or no usable code"),
    "409": html("Seller taken"),
    "410": html("Link used or withdrawn meanwhile"),
    "502": html("ML did not answer"),
    "503": PAGE_DOWN,
}
TOO_MANY_STARTS = {
    "description": "Too many sign-ins started by this link or address",
    "headers": {"Retry-After": header("seconds")},
    "content": {"text/html": {"schema": STRING}},
}


def _form(properties: Doc, *alternatives: list[str]) -> Doc:
    """A form body; each alternative lists the fields that together make a request the route can act on."""
    schema: Doc = {"type": "object", "properties": properties}
    if len(alternatives) == 1:
        schema["required"] = alternatives[0]
    else:
        schema["anyOf"] = [{"required": fields} for fields in alternatives]
    return {"required": True, "content": {FORM: {"schema": schema}}}


def connect_pages() -> Doc:
    connect = {"parameters": [query("token", LINK_TOKEN, required=True)],
               "responses": {"200": html("Connect page"), **LINK_PAGES, "503": PAGE_DOWN}}  # fmt: skip
    start_fields = {
        "token": LINK_TOKEN,
        "site": SITE,
        "csrf": STRING,
        "account": {**STRING, "description": "the account page's Reconnect button: its account id"},
    }
    start = {"requestBody": _form(start_fields, ["token"], ["account"]),
             "responses": {"303": REDIRECT, **LINK_PAGES, "403": html("Form expired, or sent by another site"),
                           "413": TOO_LARGE, "429": TOO_MANY_STARTS, "503": PAGE_DOWN}}  # fmt: skip
    confirm = {"requestBody": form("confirmation", "csrf", "decision"),
               "responses": {**FAILED_SIGN_IN, "403": html("Form expired, or sent by another site"),
                             "413": TOO_LARGE}}  # fmt: skip
    owner = {"parameters": [query("token", LINK_TOKEN, required=True)],
             "responses": {"200": html("Owner link page"), **LINK_PAGES, "503": PAGE_DOWN}}  # fmt: skip
    open_owner = {"requestBody": _form({"token": LINK_TOKEN, "csrf": STRING}, ["token"]),
                  "responses": {"303": REDIRECT, **LINK_PAGES, "403": html("Form expired, or sent by another site"),
                                "413": TOO_LARGE, "503": PAGE_DOWN}}  # fmt: skip
    return {
        "/connect": {"get": connect},
        "/connect/start": {"post": start},
        "/connect/confirm": {"post": confirm},
        "/owner": {"get": owner, "post": open_owner},
    }


def page_paths(callback_path: str) -> Doc:
    """The merchant's HTML pages: links, OAuth callback, account status (signed session cookie)."""
    code = {"type": "string", "minLength": 1, "maxLength": MAX_CODE_LENGTH}
    state = {"type": "string", "pattern": STATE_PATTERN}
    callback = {"parameters": [query("code", code), query("state", state, required=True), query("error", STRING)],
                "responses": FAILED_SIGN_IN}  # fmt: skip
    not_found = content(NO_ROUTE, "text/html", TEXT)
    listing = {"security": SESSION,
               "responses": {"200": html("The accounts this browser may see"), "401": html("No session"),
                             "503": PAGE_DOWN}}  # fmt: skip
    show = {"security": SESSION, "parameters": [ACCOUNT_ID],
            "responses": {"200": html("Account status"), "401": html("No session"), "404": not_found,
                          "503": PAGE_DOWN}}  # fmt: skip
    disconnect = {"security": SESSION, "parameters": [ACCOUNT_ID], "requestBody": form("csrf", "confirmed"),
                  "responses": {"200": html("The question to confirm (without confirmed=yes)"), "303": REDIRECT,
                                "401": html("No session"), "403": html("Form expired, or sent by another site"),
                                "404": not_found, "413": TOO_LARGE, "503": PAGE_DOWN}}  # fmt: skip
    return connect_pages() | {
        "/": {"get": {"responses": {"200": html("What this service is, for sellers and integrators")}}},
        callback_path: {"get": callback},
        "/accounts": {"get": listing},
        "/accounts/{account_id}": {"get": show},
        "/accounts/{account_id}/disconnect": {"post": disconnect},
    }
