"""The live app on each database (with the machine's Redis) and its OpenAPI document, loaded from the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.conftest import REDIS_URL, RUN_ID
from tests.fuzz.live import LiveApp
from worker.settings import Settings

INTERNAL_TOKEN = "fuzz-internal-token"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, migrated_urls: dict[str, str]) -> Iterator[LiveApp]:
    settings = Settings(
        _env_file=None,
        database_url=migrated_urls[request.param],
        redis_url=REDIS_URL,
        queue_name=f"meli:test:{RUN_ID}:fuzz:{uuid.uuid4().hex[:8]}",
        worker_metrics_port=0,
        internal_token=INTERNAL_TOKEN,
        # generous limits, so the fuzzing reaches the routes behind them (tests/attacks checks the limits)
        api_auth_failures_per_minute=100_000,
        connect_starts_per_link=10_000,
        connect_starts_per_address=100_000,
        outbound_webhooks_allow_local=True,  # fuzzed URLs are checked without a DNS lookup
    )
    app = LiveApp(settings).start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="module")
def api_schema(live: LiveApp) -> OpenApiSchema:
    """The document as the app serves it (to requests with the internal token)."""
    served = requests.get(f"{live.url}/openapi.json", headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"}, timeout=10)
    served.raise_for_status()
    return schemathesis.openapi.from_dict(served.json())


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
