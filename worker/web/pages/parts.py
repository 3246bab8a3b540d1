"""What the connect pages, account pages and business API share, built once per web app at startup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from connectors.mercadolibre.oauth import TIMEOUT
from worker.connect.confirm import Confirmations
from worker.connect.flow import ConnectFlow
from worker.connect.links import ConnectLinks
from worker.connect.ml_oauth import ml_oauth_client
from worker.connect.signing import BusinessKeys
from worker.connect.state import OAuthStates
from worker.context import AppContext
from worker.web.keys import CONTEXT
from worker.web.limits import Limits


@dataclass
class ConnectParts:
    context: AppContext
    http: aiohttp.ClientSession
    links: ConnectLinks
    keys: BusinessKeys  # sessions and CSRF tokens, per business
    flow: ConnectFlow
    limits: Limits
    secure_cookies: bool


CONNECT = web.AppKey("connect", ConnectParts)


def build_parts(context: AppContext, http: aiohttp.ClientSession) -> ConnectParts:
    settings = context.settings
    states = OAuthStates(context.redis, settings.queue_name)
    links = ConnectLinks(context.db, settings)
    confirmations = Confirmations(context.redis, context.cipher, settings.queue_name)
    flow = ConnectFlow(context.db, context.cipher, states, ml_oauth_client(http, settings), links, confirmations)
    return ConnectParts(
        context=context,
        http=http,
        links=links,
        keys=BusinessKeys(settings.secret_key.get_secret_value()),
        flow=flow,
        limits=Limits(context.redis, settings),
        secure_cookies=settings.https_only,
    )


async def connect_parts(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx`: one outbound HTTP session for the web process's calls to ML."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        app[CONNECT] = build_parts(app[CONTEXT], http)
        yield
