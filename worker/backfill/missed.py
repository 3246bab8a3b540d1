"""Notifications ML gave up delivering (`GET /missed_feeds`, kept about two days), fed into the same inbox
as live webhooks.

Each message is parsed exactly like a webhook body (its `request.data` is the original body), checked
against our application id, and recorded with origin `missed_feed` unless the inbox already holds its `_id`
(a webhook that arrived after all, or an earlier read of the feed): the same dedupe as live traffic. New
rows of known sellers are queued for the notification job, which coalesces them with anything pending for
the same resource. Topics we do not process and sellers we do not know are skipped, not recorded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final

from arq.connections import ArqRedis

from connectors.errors import AuthError
from connectors.events import Origin
from connectors.mercadolibre.client import MlClient, Seller
from connectors.mercadolibre.notifications import Notification, NotificationError, parse_notification, resource_ref
from worker.logs import get_logger
from worker.pipeline.queue import request_drains
from worker.store.accounts import get_account_by_seller
from worker.store.backfills import active_accounts, known_notification_ids
from worker.store.db import Database
from worker.store.inbox import NewNotification, record_notifications
from worker.store.models import AccountStatus, InboxStatus

log = get_logger(__name__)
MISSED_PAGE: Final = 50
MAX_PAGES: Final = 200
ORIGIN: Final = Origin.MISSED_FEED.value


@dataclass
class MissedReport:
    read: int = 0
    recorded: int = 0
    queued: int = 0


def _original_body(message: dict[str, Any]) -> bytes:
    data = (message.get("request") or {}).get("data") if isinstance(message.get("request"), dict) else None
    if isinstance(data, str):
        return data.encode()
    return json.dumps({k: v for k, v in message.items() if k not in ("request", "response")}).encode()


def _identity(note: Notification, message: dict[str, Any]) -> str:
    """ML's `_id`: the feed entry carries it beside `request.data` (the original body, which has none), as a live
    webhook body does; else a key from topic, resource, user and time."""
    entry_id = message.get("_id")
    if isinstance(entry_id, str) and entry_id:
        return entry_id[:64]
    if note.notification_id:
        return note.notification_id[:64]
    received = note.received.isoformat() if note.received else ""
    digest = hashlib.sha256(f"{note.topic}|{note.resource}|{note.user_id}|{received}".encode()).hexdigest()
    return f"mf:{digest[:40]}"


def parse_entry(message: Any) -> tuple[Notification, dict[str, Any], str] | None:
    """One missed-feed entry as the notification it was, its original body and its identity; None when the
    entry is not a notification we could have accepted."""
    if not isinstance(message, dict):
        return None
    body = _original_body(message)
    try:
        note = parse_notification(body)
    except NotificationError:
        return None
    return note, json.loads(body), _identity(note, message)


def _parse(message: Any, ml_client_id: str) -> tuple[Notification, dict[str, Any], str] | None:
    found = parse_entry(message)
    if found is None or found[0].application_id != ml_client_id or resource_ref(found[0]) is None:
        return None
    return found


async def _new_rows(db: Database, ml_client_id: str, messages: list[Any]) -> list[NewNotification]:
    parsed = [found for found in (_parse(message, ml_client_id) for message in messages) if found is not None]
    known = await known_notification_ids(db, [identity for _, _, identity in parsed])
    rows: list[NewNotification] = []
    for note, body, identity in parsed:
        ref = resource_ref(note)
        account = await get_account_by_seller(db, note.user_id)
        if identity in known or ref is None or account is None or account.status == AccountStatus.DISCONNECTED:
            continue
        known.add(identity)
        rows.append(
            NewNotification(
                topic=note.topic, resource=note.resource, user_id=note.user_id, body=body,
                status=InboxStatus.PENDING, notification_id=identity, account_id=account.id, kind=ref.kind.value,
                resource_id=ref.id, origin=ORIGIN,
            )
        )  # fmt: skip
    return rows


async def recover_missed(db: Database, redis: ArqRedis, client: MlClient, ml_client_id: str) -> MissedReport:
    """Read every page of the missed feed of every active seller, each with its own token: ML answers a token
    with the notifications of its user, so one seller's token never recovers another's."""
    report = MissedReport()
    for account in await active_accounts(db):
        assert account.id is not None
        try:
            await _recover_seller(db, redis, client, ml_client_id, Seller(account.id, account.seller_id), report)
        except AuthError:  # the seller's consent is gone; its jobs park until it reconnects
            log.info("ml.missed_feeds.seller_skipped", account_id=account.id)
    log.info("ml.missed_feeds.read", read=report.read, recorded=report.recorded, queued=report.queued)
    return report


async def _recover_seller(
    db: Database, redis: ArqRedis, client: MlClient, ml_client_id: str, seller: Seller, report: MissedReport
) -> None:
    for page in range(MAX_PAGES):
        body = await client.missed_feeds(seller, ml_client_id, page * MISSED_PAGE, MISSED_PAGE)
        messages = list(body.get("messages") or []) if isinstance(body, dict) else []
        report.read += len(messages)
        rows = await _new_rows(db, ml_client_id, messages)
        report.recorded += len(await record_notifications(db, rows))
        report.queued += await request_drains(redis, [row.account_id for row in rows if row.account_id is not None])
        if len(messages) < MISSED_PAGE:
            return
