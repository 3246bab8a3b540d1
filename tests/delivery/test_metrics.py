"""/metrics carries each business's delivery backlog, the age of its oldest pending delivery, its deliveries
whose answer was lost and its review queue (read from the open deliveries), and the lane job counts what its
deliveries ended as."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from sandboxes.hellotext.faults import Fault, ScriptedFault
from tests.delivery.conftest import Shop, open_shop
from tests.delivery.test_jobs import deps, job_shop  # noqa: F401
from tests.hellotext.conftest import TOKEN_2, FakeHellotext, fake_hellotext, http  # noqa: F401
from worker.delivery.gauges import refresh_delivery_gauges
from worker.jobs.delivery import deliver_hellotext
from worker.jobs.deps import JobDeps
from worker.jobs.probes import probe_app
from worker.metrics import Metrics

NOW = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
NAMES = ("meli_hellotext_backlog", "meli_hellotext_oldest_pending_seconds", "meli_hellotext_uncertain",
         "meli_hellotext_review", "meli_hellotext_deliveries_total")  # fmt: skip


def samples(rendered: str) -> dict[tuple[str, str], float]:
    families = text_string_to_metric_families(rendered)
    return {
        (s.name, s.labels.get("business_id") or s.labels.get("outcome", "")): s.value
        for f in families for s in f.samples if s.name in NAMES
    }  # fmt: skip


async def stored_at(shop: Shop, at: str) -> None:
    async with shop.db.connect() as conn:
        await conn.execute(text("UPDATE delivery SET created_at = :at WHERE business_id = :b"),
                           {"at": datetime.fromisoformat(at), "b": shop.business_id})  # fmt: skip


async def test_backlog_age_uncertain_and_review_per_business(
    deps: JobDeps,  # noqa: F811
    job_shop: Shop,  # noqa: F811
    fake_hellotext: FakeHellotext,  # noqa: F811
) -> None:
    ctx: dict[str, Any] = {"deps": deps}
    other = await open_shop(deps.app.db, fake_hellotext, job_shop.http, "Tienda Dos", TOKEN_2, deps.app.cipher)
    await job_shop.order("2000001", "order.confirmed", "order.shipped")
    fake_hellotext.faults.script.append(ScriptedFault(Fault.LOST, path="/v1/attribution/events"))
    await job_shop.order("2000002", "refund.requested", at=datetime(2026, 11, 19, tzinfo=UTC))
    # the refund's answer was lost (a lane's first round sends one order)
    assert await deliver_hellotext(ctx, job_shop.business_id) == {"waiting": 1}
    await stored_at(job_shop, "2026-12-04T11:50:00+00:00")
    assert await deliver_hellotext(ctx, job_shop.business_id) == {}  # the lane rests after a lost answer
    fake_hellotext.faults.script.append(ScriptedFault(Fault.SERVER_ERROR, path="/v1/attribution/events"))
    await other.order("3000001", "order.confirmed")
    await stored_at(other, "2026-12-04T11:59:30+00:00")

    await refresh_delivery_gauges(deps.app.db, deps.app.metrics, now=NOW)
    first, second = str(job_shop.business_id), str(other.business_id)
    assert samples(deps.app.metrics.render().decode()) == {
        ("meli_hellotext_backlog", first): 3.0, ("meli_hellotext_oldest_pending_seconds", first): 600.0,
        ("meli_hellotext_uncertain", first): 1.0, ("meli_hellotext_review", first): 0.0,
        ("meli_hellotext_backlog", second): 1.0, ("meli_hellotext_oldest_pending_seconds", second): 30.0,
        ("meli_hellotext_uncertain", second): 0.0, ("meli_hellotext_review", second): 0.0,
        ("meli_hellotext_deliveries_total", "waiting"): 1.0,
    }  # fmt: skip


async def test_a_business_with_nothing_open_drops_out_and_review_is_counted(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    await shop.run()
    shop.fake.state.accounts[shop.token].profiles.clear()  # Hellotext refuses the next event: review
    await shop.order("2000002", "order.confirmed")
    metrics = Metrics()
    metrics.delivery_backlog.labels("999").set(5)  # a business read earlier, with nothing open now
    await shop.run()

    await refresh_delivery_gauges(shop.db, metrics, now=NOW)
    label = str(shop.business_id)
    assert samples(metrics.render().decode()) == {
        ("meli_hellotext_backlog", label): 0.0, ("meli_hellotext_oldest_pending_seconds", label): 0.0,
        ("meli_hellotext_uncertain", label): 0.0, ("meli_hellotext_review", label): 1.0,
    }  # fmt: skip


async def test_the_worker_metrics_page_serves_the_delivery_gauges(deps: JobDeps, job_shop: Shop) -> None:  # noqa: F811
    await job_shop.order("2000001", "order.confirmed")
    async with TestClient(TestServer(probe_app(deps.app))) as client:
        response = await client.get("/metrics")
        found = samples(await response.text())

    assert found[("meli_hellotext_backlog", str(job_shop.business_id))] == 1.0
