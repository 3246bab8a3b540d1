"""GET /metrics after real traffic: webhook counters and inbox gauges read from the database."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from tests.web.test_health import INTERNAL, with_token
from tests.web.test_webhooks import notification
from worker.context import app_context
from worker.settings import Settings
from worker.web.app import create_app


def sample(text: str, name: str) -> float:
    (line,) = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(line.split()[-1])


async def test_metrics_count_webhooks_by_topic_and_outcome(settings: Settings) -> None:
    from tests.conftest import _truncate

    async with app_context(with_token(settings)) as context:
        await _truncate(context.db)
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as client:
            await client.post("/webhooks/mercadolibre", json=notification(user_id=5))
            await client.post("/webhooks/mercadolibre", json=notification(topic="questions", resource="/q/1"))
            await client.post("/webhooks/mercadolibre", data=b"{oops")
            response = await client.get("/metrics", headers=INTERNAL)
            text = await response.text()

    assert response.status == 200
    assert sample(text, 'meli_webhook_notifications_total{outcome="ignored",topic="orders_v2"}') == 1.0
    assert sample(text, 'meli_webhook_notifications_total{outcome="ignored",topic="questions"}') == 1.0
    assert sample(text, 'meli_webhook_notifications_total{outcome="malformed",topic="invalid"}') == 1.0
    assert sample(text, 'meli_inbox_rows{status="ignored"}') == 2.0
    assert sample(text, 'meli_inbox_rows{status="pending"}') == 0.0
    assert sample(text, "meli_webhook_seconds_count") == 3.0
