"""What the web process's parts read of the deployment's settings, as plain values: `create_app` builds it from
`Settings` (worker/web/app.py) and stores it under `OPTIONS`; nothing below the app factory sees `Settings`."""

from __future__ import annotations

from dataclasses import dataclass

from worker.backfill.service import BackfillPlan
from worker.connect.links import LinkOptions
from worker.connect.ml_oauth import MlOAuthApp
from worker.delivery.connect import HellotextApi
from worker.settings import Network
from worker.web.edge import InternalAccess
from worker.web.intake import IntakeOptions
from worker.web.limits import LimitRates


@dataclass(frozen=True)
class WebOptions:
    environment: str
    queue_name: str
    ml_client_id: str
    trusted_proxies: int  # how many proxies in front of us append to X-Forwarded-For
    allowed_networks: tuple[Network, ...]  # where ML's notifications may come from
    webhook_path_secret: str | None
    public_base_url: str
    public_origin: str
    callback_path: str  # the path of the OAuth redirect URI
    redirect_uri: str
    https_only: bool
    secret_key: str
    internal: InternalAccess
    limits: LimitRates
    intake: IntakeOptions
    links: LinkOptions
    oauth: MlOAuthApp
    backfill: BackfillPlan
    hellotext: HellotextApi
    outbound_webhooks_allow_local: bool  # endpoints may be http and local addresses (demo, tests)
