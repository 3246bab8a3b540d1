"""Prometheus metrics. One `Metrics` per process, built by the composition root (no global registry)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from connectors.mercadolibre.constants import Topic

FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
KNOWN_TOPICS = frozenset(topic.value for topic in Topic) | {"invalid"}  # "invalid": the body named none


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.webhook = Counter("meli_webhook_notifications", "Notifications answered, by topic and outcome",
                               ["topic", "outcome"], registry=r)  # fmt: skip
        self.webhook_seconds = Histogram("meli_webhook_seconds", "Webhook answer time", buckets=FAST, registry=r)
        self.inbox_rows = Gauge("meli_inbox_rows", "Inbox rows by status (at scrape)", ["status"], registry=r)
        self.inbox_oldest = Gauge("meli_inbox_oldest_pending_seconds", "Age of the oldest pending row", registry=r)
        self.jobs = Histogram("meli_job_seconds", "Job durations by job and outcome", ["job", "outcome"],
                              buckets=SLOW, registry=r)  # fmt: skip
        self.ml_requests = Counter("meli_ml_requests", "ML API requests by endpoint and status",
                                   ["endpoint", "status"], registry=r)  # fmt: skip
        self.events = Counter("meli_events_stored", "Events newly stored, by action and origin",
                              ["action", "origin"], registry=r)  # fmt: skip
        self.foreign_documents = Counter("meli_foreign_documents", "Documents skipped because they named another "
                                         "seller than the account that fetched them", ["kind"], registry=r)  # fmt: skip
        self.db_statements = Counter("meli_db_statements", "SQL statements sent (an executemany counts once)",
                                     registry=r)  # fmt: skip
        self.lag = Histogram("meli_notification_to_event_seconds", "Notification received → event stored",
                             buckets=SLOW, registry=r)  # fmt: skip
        by_business = ["business_id"]
        self.deliveries = Counter("meli_hellotext_deliveries", "Deliveries worked by this process, by outcome "
                                  "(delivered, review, waiting: to be tried again, skipped)", ["outcome"],
                                  registry=r)  # fmt: skip
        self.delivery_backlog = Gauge("meli_hellotext_backlog", "Pending deliveries per business (at scrape)",
                                      by_business, registry=r)  # fmt: skip
        self.delivery_oldest = Gauge("meli_hellotext_oldest_pending_seconds",
                                     "Age of the oldest pending delivery's event per business (at scrape)",
                                     by_business, registry=r)  # fmt: skip
        self.delivery_uncertain = Gauge("meli_hellotext_uncertain",
                                        "Pending deliveries whose last answer was lost, per business (at scrape)",
                                        by_business, registry=r)  # fmt: skip
        self.delivery_review = Gauge("meli_hellotext_review", "Deliveries in the review queue per business "
                                     "(at scrape)", by_business, registry=r)  # fmt: skip
        self.webhook_messages = Counter("meli_outbound_webhook_messages", "Outbound webhook messages sent by this "
                                        "process, by outcome (delivered, failed: to be tried again or in review, "
                                        "disabled: an endpoint answered 410)", ["outcome"], registry=r)  # fmt: skip
        self.webhook_backlog = Gauge("meli_outbound_webhook_backlog", "Pending outbound webhook messages per "
                                     "business (at scrape)", by_business, registry=r)  # fmt: skip
        self.webhook_oldest = Gauge("meli_outbound_webhook_oldest_pending_seconds", "Age of the oldest pending "
                                    "outbound webhook message per business (at scrape)", by_business,
                                    registry=r)  # fmt: skip
        self.webhook_review = Gauge("meli_outbound_webhook_review", "Outbound webhook messages in review per "
                                    "business (at scrape)", by_business, registry=r)  # fmt: skip

        self._webhook_children: dict[tuple[str, str], Any] = {}  # labels() per request costs a lock and a hash

    def notification(self, topic: str, outcome: str, seconds: float) -> None:
        key = (topic if topic in KNOWN_TOPICS else "other", outcome)
        child = self._webhook_children.get(key)
        if child is None:
            child = self._webhook_children[key] = self.webhook.labels(*key)
        child.inc()
        self.webhook_seconds.observe(seconds)

    def ml_request(self, endpoint: str, status: int) -> None:
        self.ml_requests.labels(endpoint, str(status)).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
