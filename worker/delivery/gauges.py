"""Delivery gauges for /metrics (the web's and the worker's): per business, the backlog, the age of its oldest
pending delivery, the pending deliveries whose answer was lost, and the review queue; the same (but lost answers,
which a signed webhook has not) for outbound webhook messages. One grouped read of each outbox
(`open_deliveries`, `open_messages`); callers read at most every few seconds.

A business whose deliveries are all done drops out of the gauges rather than staying at its last values."""

from __future__ import annotations

from datetime import datetime

from worker.clock import utcnow
from worker.metrics import Metrics
from worker.store.db import Database
from worker.store.deliveries import open_deliveries
from worker.store.webhook_queue import open_messages


async def refresh_delivery_gauges(db: Database, metrics: Metrics, now: datetime | None = None) -> None:
    found, now = await open_deliveries(db), now or utcnow()
    gauges = (metrics.delivery_backlog, metrics.delivery_oldest, metrics.delivery_uncertain, metrics.delivery_review)
    for gauge in gauges:
        gauge.clear()
    for business_id, open_ in sorted(found.items()):
        label = str(business_id)
        oldest = open_.oldest_pending
        metrics.delivery_backlog.labels(label).set(open_.pending)
        metrics.delivery_oldest.labels(label).set(_age(oldest, now))
        metrics.delivery_uncertain.labels(label).set(open_.uncertain)
        metrics.delivery_review.labels(label).set(open_.review)
    messages = await open_messages(db)
    for gauge in (metrics.webhook_backlog, metrics.webhook_oldest, metrics.webhook_review):
        gauge.clear()
    for business_id, waiting in sorted(messages.items()):
        label, oldest = str(business_id), waiting.oldest_pending
        metrics.webhook_backlog.labels(label).set(waiting.pending)
        metrics.webhook_oldest.labels(label).set(_age(oldest, now))
        metrics.webhook_review.labels(label).set(waiting.review)


def _age(oldest: datetime | None, now: datetime) -> float:
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
