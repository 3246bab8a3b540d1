"""The values the ML OAuth client (connectors/mercadolibre/oauth.py) is built from: this deployment's ML
application. The composition roots fill them from the settings."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from pydantic import SecretStr

from connectors.mercadolibre.oauth import MlOAuthClient


@dataclass(frozen=True)
class MlOAuthApp:
    client_id: str
    client_secret: SecretStr
    redirect_uri: str
    api_base_url: str
    auth_base_url: str | None  # None: ML's own sign-in hosts

    def client(self, http: aiohttp.ClientSession) -> MlOAuthClient:
        return MlOAuthClient(
            http,
            client_id=self.client_id,
            client_secret=self.client_secret,
            redirect_uri=self.redirect_uri,
            api_base_url=self.api_base_url,
            auth_base_url=self.auth_base_url,
        )
