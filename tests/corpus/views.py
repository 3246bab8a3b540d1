"""What the tests compare for the corpus documents that are not mapped on their own: plain JSON views."""

from __future__ import annotations

from typing import Any

from connectors.mercadolibre.mapping.shipping import handed_over
from connectors.mercadolibre.notifications import Notification, NotificationError, parse_notification
from connectors.mercadolibre.payloads.documents import Refund
from worker.backfill.missed import parse_entry


def notification_view(note: Notification) -> dict[str, Any]:
    ref = note.ref
    return {
        "topic": note.topic,
        "user_id": note.user_id,
        "notification_id": note.notification_id,
        "fetch": None if ref is None else {"kind": ref.kind.value, "id": ref.id, "path": ref.path},
    }


def parse_body(body: bytes) -> dict[str, Any]:
    try:
        return notification_view(parse_notification(body))
    except NotificationError as error:
        return {"refused": str(error)}


def missed_feed_view(document: Any) -> list[dict[str, Any] | None]:
    views: list[dict[str, Any] | None] = []
    for message in document["messages"]:
        found = parse_entry(message)
        views.append(None if found is None else {**notification_view(found[0]), "identity": found[2]})
    return views


def catalogue_view(catalogue: Any) -> dict[str, list[str]]:
    """The states of ML's status catalogue in which the goods have left the seller, by status."""
    handed: dict[str, list[str]] = {}
    for status in catalogue:
        substatuses = [entry["id"] for entry in status.get("substatuses") or []]
        found = [sub for sub in substatuses if handed_over(status["id"], sub)]
        if handed_over(status["id"], None):
            found = ["(any substatus)"]
        if found:
            handed[status["id"]] = found
    return handed


def refunds_view(refunds: Any) -> list[dict[str, Any]]:
    parsed = [Refund.model_validate(entry) for entry in refunds]
    return [{"id": r.id, "amount": str(r.amount), "status": r.status, "received": r.received} for r in parsed]
