"""The merchant's HTML pages in the OpenAPI document: connect and owner links, the OAuth callback and its
confirmation, the account pages (signed session cookie)."""

from __future__ import annotations

from worker.web.openapi_parts import (
    ACCOUNT_ID,
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

LINK_PAGES: Doc = {"400": html("Link not valid"), "410": html("Link expired, used or withdrawn")}
FAILED_SIGN_IN: Doc = {
    "200": html("Access denied by the merchant, or the question to confirm a sign-in from another browser"),
    "303": REDIRECT,
    "400": html("Sign-in not valid"),
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


def connect_pages() -> Doc:
    connect = {"parameters": [query("token", STRING)],
               "responses": {"200": html("Connect page"), **LINK_PAGES, "503": PAGE_DOWN}}  # fmt: skip
    start = {"requestBody": form("token", "site", "csrf", "account"),
             "responses": {"303": REDIRECT, **LINK_PAGES, "403": html("Form expired, or sent by another site"),
                           "413": TOO_LARGE, "429": TOO_MANY_STARTS, "503": PAGE_DOWN}}  # fmt: skip
    confirm = {"requestBody": form("confirmation", "csrf", "decision"),
               "responses": {**FAILED_SIGN_IN, "403": html("Form expired, or sent by another site"),
                             "413": TOO_LARGE}}  # fmt: skip
    owner = {"parameters": [query("token", STRING)],
             "responses": {"200": html("Owner link page"), **LINK_PAGES, "503": PAGE_DOWN}}  # fmt: skip
    open_owner = {"requestBody": form("token", "csrf"),
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
    callback = {"parameters": [query(name, STRING) for name in ("code", "state", "error")],
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
