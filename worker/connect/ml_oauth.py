"""The ML OAuth client (connectors/mercadolibre/oauth.py) built from this deployment's settings."""

from __future__ import annotations

import aiohttp

from connectors.mercadolibre.oauth import MlOAuthClient
from worker.settings import Settings


def ml_oauth_client(http: aiohttp.ClientSession, settings: Settings) -> MlOAuthClient:
    return MlOAuthClient(
        http,
        client_id=settings.ml_client_id,
        client_secret=settings.ml_client_secret,
        redirect_uri=settings.ml_redirect_uri,
        api_base_url=settings.ml_api_base_url,
        auth_base_url=settings.ml_auth_base_url,
    )
