"""The authorization page `/{auth_host}/authorization`: a plain HTML form, no JavaScript.

GET validates the request first (`response_type=code`, our `client_id`, a registered `redirect_uri`
matched exactly, a known `code_challenge_method`, PKCE if the app requires it) and shows an error page,
never a redirect, when something is wrong. The form posts back to the same URL with the seller login
and one of two buttons: "Allow" (302 to `redirect_uri?code=...&state=...`) or "Deny" (302 to
`redirect_uri?error=access_denied&state=...`). A login is the seller's login e-mail, nickname or id; any
seller may log in on any site's host (the generic host `auth.mercadolibre.com` serves all sites).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from multidict import MultiDict, MultiMapping
from yarl import URL

from sandboxes.mercadolibre.oauth_html import error_page, form_page
from sandboxes.mercadolibre.sites import AUTH_HOSTS
from sandboxes.mercadolibre.state import SANDBOX, Sandbox

HOST_PATTERN = r"auth\.[a-z.]+"
METHODS = ("S256", "plain")


@dataclass(frozen=True, slots=True)
class AuthRequest:
    client_id: str
    redirect_uri: str
    state: str | None
    challenge: str | None
    method: str | None

    def hidden_fields(self) -> dict[str, str]:
        fields = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri}
        optional = {"state": self.state, "code_challenge": self.challenge, "code_challenge_method": self.method}
        fields.update({k: v for k, v in optional.items() if v is not None})
        return fields


class PageError(Exception):
    """The authorization request itself is wrong: show an error page."""


def _host(request: web.Request) -> str:
    host = request.match_info["host"]
    if host not in AUTH_HOSTS:
        raise web.HTTPNotFound()
    return host


def parse_request(sandbox: Sandbox, params: MultiMapping[str]) -> AuthRequest:
    config = sandbox.config
    if params.get("response_type") != "code":
        raise PageError("response_type must be 'code'.")
    if params.get("client_id") != config.client_id:
        raise PageError("The application (client_id) is not valid.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in config.redirect_uris:
        raise PageError("The redirect_uri does not match the application's registered redirect URI.")
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or None
    if challenge is not None and method is None:
        method = "plain"
    if method is not None and (method not in METHODS or challenge is None):
        raise PageError("code_challenge_method must be S256 or plain, with a code_challenge.")
    if config.pkce_required and challenge is None:
        raise PageError("This application requires PKCE (code_challenge).")
    return AuthRequest(config.client_id, redirect_uri, params.get("state"), challenge, method)


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _redirect(auth: AuthRequest, values: dict[str, str]) -> web.Response:
    if auth.state is not None:
        values["state"] = auth.state
    location = URL(auth.redirect_uri).update_query(values)
    return web.Response(status=302, headers={"Location": str(location)})


async def get_authorization(request: web.Request) -> web.Response:
    host = _host(request)
    sandbox = request.app[SANDBOX]
    try:
        auth = parse_request(sandbox, request.query)
    except PageError as exc:
        return _html(error_page(str(exc)), 400)
    return _html(form_page(sandbox.world, host, auth.hidden_fields(), request.query.get("login"), None))


async def post_authorization(request: web.Request) -> web.Response:
    host = _host(request)
    sandbox = request.app[SANDBOX]
    form = await request.post()
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        auth = parse_request(sandbox, MultiDict(params))
    except PageError as exc:
        return _html(error_page(str(exc)), 400)
    if params.get("decision") == "deny":
        return _redirect(auth, {"error": "access_denied"})
    login = params.get("login", "").strip()
    seller_id = _find_seller(sandbox, login)
    if seller_id is None:
        message = f"No test seller with login {login!r}." if login else "Enter a seller login."
        return _html(form_page(sandbox.world, host, auth.hidden_fields(), login, message), 400)
    code = sandbox.tokens.issue_code(seller_id, auth.redirect_uri, auth.challenge, auth.method)
    return _redirect(auth, {"code": code})


def _find_seller(sandbox: Sandbox, login: str) -> int | None:
    world = sandbox.world
    seller_id = world.logins.get(login.lower())
    if seller_id is None and login.isdigit() and int(login) in world.sellers:
        seller_id = int(login)
    return seller_id


def add_oauth_routes(router: web.UrlDispatcher) -> None:
    path = "/{host:" + HOST_PATTERN + "}/authorization"
    router.add_get(path, get_authorization)
    router.add_post(path, post_authorization)
