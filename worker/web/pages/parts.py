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
from worker.connect.signing import BusinessKeys
from worker.connect.state import OAuthStates
from worker.context import AppContext
from worker.store.db import Database
from worker.web.keys import CONTEXT, OPTIONS
from worker.web.limits import Limits
from worker.web.options import WebOptions


@dataclass
class ConnectParts:
    db: Database
    options: WebOptions
    http: aiohttp.ClientSession
    links: ConnectLinks
    keys: BusinessKeys  # sessions and CSRF tokens, per business
    flow: ConnectFlow
    limits: Limits
    secure_cookies: bool


CONNECT = web.AppKey("connect", ConnectParts)


def build_parts(context: AppContext, options: WebOptions, http: aiohttp.ClientSession) -> ConnectParts:
    states = OAuthStates(context.redis, options.queue_name)
    links = ConnectLinks(context.db, options.links)
    confirmations = Confirmations(context.redis, context.cipher, options.queue_name)
    flow = ConnectFlow(context.db, context.cipher, states, options.oauth.client(http), links, confirmations)
    return ConnectParts(
        db=context.db,
        options=options,
        http=http,
        links=links,
        keys=BusinessKeys(options.secret_key),
        flow=flow,
        limits=Limits(context.redis, options.queue_name, options.limits),
        secure_cookies=options.https_only,
    )


async def connect_parts(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx`: one outbound HTTP session for the web process's calls to ML."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        app[CONNECT] = build_parts(app[CONTEXT], app[OPTIONS], http)
        yield
