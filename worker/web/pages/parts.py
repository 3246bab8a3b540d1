"""What the connect pages, account pages and business API share, built once per web app at startup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from worker.connect.flow import ConnectFlow
from worker.connect.links import ConnectLinks
from worker.connect.ml_oauth import TIMEOUT, MlOAuthClient
from worker.connect.signing import Signer
from worker.connect.state import OAuthStates
from worker.context import AppContext
from worker.web.keys import CONTEXT


@dataclass
class ConnectParts:
    context: AppContext
    http: aiohttp.ClientSession
    links: ConnectLinks
    sessions: Signer
    csrf: Signer
    flow: ConnectFlow
    secure_cookies: bool


CONNECT = web.AppKey("connect", ConnectParts)


def build_parts(context: AppContext, http: aiohttp.ClientSession) -> ConnectParts:
    settings = context.settings
    secret = settings.secret_key.get_secret_value()
    states = OAuthStates(context.redis, settings.queue_name)
    flow = ConnectFlow(context.db, context.cipher, states, MlOAuthClient(http, settings))
    return ConnectParts(
        context=context,
        http=http,
        links=ConnectLinks(settings),
        sessions=Signer(secret, "session"),
        csrf=Signer(secret, "csrf"),
        flow=flow,
        secure_cookies=settings.public_base_url.startswith("https://"),
    )


async def connect_parts(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx`: one outbound HTTP session for the web process's calls to ML."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        app[CONNECT] = build_parts(app[CONTEXT], http)
        yield
