"""`POST /oauth/token`: the `authorization_code` and `refresh_token` grants, errors as docs/mercadolibre-api.md §1.

Parameters are read from the form body (as ML documents). Checked in this order: grant_type present and
supported, client credentials (401 `invalid_client`), scope (if sent), then the grant itself (400
`invalid_grant` for a bad, expired, reused or foreign code/refresh token, a redirect_uri mismatch or a
PKCE verifier that does not match). A failed exchange still consumes the code.
"""

from __future__ import annotations

import hmac
import json

from aiohttp import web

from sandboxes.mercadolibre.errors import OAuthError
from sandboxes.mercadolibre.state import SANDBOX
from sandboxes.mercadolibre.tokens import SCOPES, invalid_request

GRANTS = ("authorization_code", "refresh_token")


async def _form(request: web.Request) -> dict[str, str]:
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if request.can_read_body:
            raise invalid_request("parameters must be sent as application/x-www-form-urlencoded")
    form = await request.post()
    values: dict[str, str] = {}
    for key in set(form.keys()):
        items = form.getall(key)
        if len(items) > 1:
            raise invalid_request(f"duplicated parameter: {key}")
        if not isinstance(items[0], str):
            raise invalid_request(f"malformed parameter: {key}")
        values[key] = items[0]
    return values


async def post_token(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    config = sandbox.config
    form = await _form(request)
    grant_type = form.get("grant_type")
    if not grant_type:
        raise invalid_request("missing required parameter: grant_type")
    if grant_type not in GRANTS:
        raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id or not secret:
        raise invalid_request("missing required parameter: client_id or client_secret")
    if client_id != config.client_id or not hmac.compare_digest(secret, config.client_secret):
        raise OAuthError(401, "invalid_client", "invalid client_id or client_secret")
    scope = form.get("scope")
    if scope is not None and not set(scope.split()) <= SCOPES:
        raise OAuthError(400, "invalid_scope", "scope must be offline_access, read and/or write")
    if grant_type == "authorization_code":
        body = sandbox.tokens.exchange_code(form)
    else:
        body = sandbox.tokens.refresh(form)
    return web.Response(body=json.dumps(body).encode(), content_type="application/json")
