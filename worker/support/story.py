"""`meli explain`: gather one order's whole story from the store and analyse it with the pure mapping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.errors import InvalidRecord
from connectors.events import Event
from connectors.mercadolibre.mapping import MappingOptions, map_order
from worker.errors import Conflict, NotFoundError
from worker.store.db import Database
from worker.store.events import iso_z
from worker.store.models import EventRow, InboxRow, MlAccount
from worker.store.refetch import GapStatus, gap_of_order
from worker.support.absence import Absence, absences
from worker.support.documents import StoredDocument, bundle_from_documents, money, related_ids
from worker.support.queries import accounts_of_order, events_of_order, notifications_about, order_documents
from worker.support.rules import rule_for
from worker.support.summary import summarize


@dataclass(frozen=True)
class Analysis:
    """What the pure mapping makes of the stored documents."""

    mapped: list[Event] = field(default_factory=list)
    absent: list[Absence] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def analyse(order_id: str, documents: Sequence[StoredDocument], options: MappingOptions) -> Analysis:
    """Pure: the events the documents give, why the others are absent, and any problem met."""
    try:
        bundle = bundle_from_documents(order_id, documents)
        result = map_order(bundle, options)
        return Analysis(result.events, absences(bundle, options), list(result.problems))
    except InvalidRecord as error:
        return Analysis(problems=[f"cannot map the stored documents: {error}"])


@dataclass(frozen=True)
class OrderStory:
    order_id: str
    account: MlAccount
    notifications: list[InboxRow]
    documents: list[StoredDocument]
    events: list[EventRow]
    analysis: Analysis
    gap: GapStatus | None = None  # a document the last sync lacked, fetched again later

    @property
    def not_stored(self) -> list[str]:
        """Dedupe keys the stored documents map to but the event store lacks (`meli replay` adds them)."""
        stored = {event.dedupe_key for event in self.events}
        return sorted(event.dedupe_key for event in self.analysis.mapped if event.dedupe_key not in stored)


async def _account(db: Database, order_id: str, business_id: int | None) -> MlAccount:
    accounts = await accounts_of_order(db, order_id, business_id)
    if not accounts:
        scope = "" if business_id is None else f" for business {business_id}"
        raise NotFoundError(f"order {order_id} is unknown{scope}: no notification or stored document names it")
    if len(accounts) > 1:
        businesses = ", ".join(str(account.business_id) for account in accounts)
        raise Conflict(f"order {order_id} is known to several businesses ({businesses}); pass --business")
    return accounts[0]


async def explain_order(
    db: Database, order_id: str, business_id: int | None = None, options: MappingOptions | None = None
) -> OrderStory:
    """Raises NotFoundError for an order no notification or document names."""
    account = await _account(db, order_id, business_id)
    assert account.id is not None
    documents = await order_documents(db, account.id, order_id)
    notifications = await notifications_about(db, account.id, related_ids(order_id, documents))
    events = await events_of_order(db, account.business_id, order_id)
    analysis = analyse(order_id, documents, options or MappingOptions())
    gap = await gap_of_order(db, account.id, order_id)
    return OrderStory(order_id, account, notifications, documents, events, analysis, gap)


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else iso_z(moment)


def notification_json(row: InboxRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "received_at": _time(row.received_at),
        "topic": row.topic,
        "resource": row.resource,
        "status": row.status,
        "reason": row.reason,
        "attempts": row.attempts,
        "processed_at": _time(row.processed_at),
    }


def document_json(doc: StoredDocument) -> dict[str, Any]:
    return {"kind": doc.kind, "ref": doc.ref, "fetched_at": _time(doc.fetched_at), "summary": summarize(doc)}


def event_json(row: EventRow) -> dict[str, Any]:
    return {
        "action": row.action,
        "tracked_at": iso_z(row.tracked_at),
        "amount": money(row.amount),
        "currency": row.currency,
        "dedupe_key": row.dedupe_key,
        "origin": row.origin,
        "recorded_at": iso_z(row.recorded_at),
        "rule": rule_for(row.action),
    }


def story_json(story: OrderStory) -> dict[str, Any]:
    account = story.account
    return {
        "order_id": story.order_id,
        "account": {"id": account.id, "seller_id": account.seller_id, "business_id": account.business_id},
        "notifications": [notification_json(row) for row in story.notifications],
        "documents": [document_json(doc) for doc in story.documents],
        "events": [event_json(row) for row in story.events],
        "absent": [{"action": a.action, "reason": a.reason, "text": str(a)} for a in story.analysis.absent],
        "not_stored": story.not_stored,
        "problems": story.analysis.problems,
        "refetch": None if story.gap is None else gap_json(story.gap),
    }


def gap_json(gap: GapStatus) -> dict[str, Any]:
    return {
        "reason": gap.reason,
        "attempts": gap.attempts,
        "next_attempt_at": _time(gap.next_attempt_at) if gap.resolved_at is None else None,
        "resolved_at": _time(gap.resolved_at),
    }
