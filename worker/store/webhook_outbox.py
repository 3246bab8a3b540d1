"""The write side of outbound webhooks: a message per active endpoint for each newly stored event and each
account change, in the transaction that stores the event or changes the account, so no change is ever stored
without its message (and no message exists without its change).

A message's body is fixed when it is written: `{"type", "timestamp", "data"}` as compact JSON, the bytes that
every attempt signs. Its `webhook-id` is fixed too: `msg_event_<event id>` for an event, a random
`msg_<hex>` for an account change."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from worker.store.dialect import upsert_insert
from worker.store.models import BackfillRun, EventRow, MlAccount, OrderObject, SubscriberRow
from worker.store.webhook_models import EndpointStatus, MessageStatus, WebhookEndpoint, WebhookMessage


class AccountChange(StrEnum):
    CONNECTED = "account.connected"
    NEEDS_RECONNECT = "account.needs_reconnect"
    DISCONNECTED = "account.disconnected"
    IMPORT_COMPLETED = "import.completed"


def body_of(kind: str, at: datetime, data: dict[str, Any]) -> str:
    from worker.store.events import iso_z  # the event store writes messages: imported when first used

    return json.dumps({"type": kind, "timestamp": iso_z(at), "data": data}, separators=(",", ":"), sort_keys=True)


@cache
def _insert(dialect: str) -> Any:
    return upsert_insert(dialect, WebhookMessage).on_conflict_do_nothing(index_elements=["endpoint_id", "message_id"])


async def _endpoints(conn: AsyncConnection, business_id: int) -> list[int]:
    table = WebhookEndpoint.__table__  # type: ignore[attr-defined]
    statement = select(table.c.id).where(
        table.c.business_id == business_id, table.c.status == EndpointStatus.ACTIVE.value
    )
    return [endpoint_id for (endpoint_id,) in (await conn.execute(statement)).all()]


async def _write(conn: AsyncConnection, business_id: int, endpoints: list[int], messages: list[dict[str, Any]],
                 now: datetime) -> None:  # fmt: skip
    rows = [
        {**message, "endpoint_id": endpoint_id, "business_id": business_id, "status": MessageStatus.PENDING.value,
         "attempts": 0, "due_at": now, "created_at": now}
        for message in messages
        for endpoint_id in endpoints
    ]  # fmt: skip
    if rows:
        await conn.execute(_insert(conn.dialect.name), rows)


async def add_event_messages_in(
    conn: AsyncConnection, business_id: int, event_ids: Sequence[int], now: datetime
) -> None:
    """A message for each of these events (as the business API shows them), in the order they happened."""
    if not event_ids or not (endpoints := await _endpoints(conn, business_id)):
        return
    from worker.store.events import event_view

    events = EventRow.__table__  # type: ignore[attr-defined]
    statement = (
        select(events, SubscriberRow.__table__.c.external_id, OrderObject.__table__.c.reference)  # type: ignore[attr-defined]
        .join(SubscriberRow.__table__, SubscriberRow.__table__.c.id == events.c.subscriber_id)  # type: ignore[attr-defined]
        .outerjoin(OrderObject.__table__, OrderObject.__table__.c.id == events.c.order_object_id)  # type: ignore[attr-defined]
        .where(events.c.id.in_(list(event_ids)))
        .order_by(events.c.tracked_at, events.c.id)
    )
    messages, result = [], await conn.execute(statement)
    names = list(result.keys())
    for values in result.all():
        fields = dict(zip(names, values, strict=True))
        external_id, reference = fields.pop("external_id"), fields.pop("reference")
        view = event_view(EventRow(**fields), external_id, reference)
        order_key = None if view.order_reference is None else f"order:{fields['order_object_id']}"
        messages.append({"message_id": f"msg_event_{view.id}", "type": view.action, "order_key": order_key,
                         "body": body_of(view.action, view.recorded_at, view.to_json())})  # fmt: skip
    await _write(conn, business_id, endpoints, messages, now)


def account_data(account: MlAccount) -> dict[str, Any]:
    return {"account_id": account.id, "business_id": account.business_id, "seller_id": account.seller_id,
            "site_id": account.site_id, "nickname": account.nickname, "status": account.status}  # fmt: skip


async def add_account_message_in(
    conn: AsyncConnection, account: MlAccount, change: AccountChange, now: datetime, **extra: Any
) -> None:
    """A message telling of a change of `account` (its data as it is now, and `extra`)."""
    if not (endpoints := await _endpoints(conn, account.business_id)):
        return
    body = body_of(change.value, now, account_data(account) | extra)
    message = {"message_id": f"msg_{secrets.token_hex(12)}", "type": change.value,
               "order_key": f"account:{account.id}", "body": body}  # fmt: skip
    await _write(conn, account.business_id, endpoints, [message], now)


async def add_import_message_in(session: AsyncSession, run_id: int, now: datetime) -> None:
    """`import.completed` for a run that is done, with its range and counters."""
    from worker.store.events import iso_z

    run = await session.get(BackfillRun, run_id)
    account = None if run is None else await session.get(MlAccount, run.account_id)
    if run is None or account is None:
        return
    data = {"id": run.id, "phase": run.phase, "since": iso_z(run.since), "until": iso_z(run.until),
            "orders_found": run.orders_found, "orders_done": run.orders_done, "orders_failed": run.orders_failed,
            "events_added": run.events_added}  # fmt: skip
    await add_account_message_in(await session.connection(), account, AccountChange.IMPORT_COMPLETED, now,
                                 **{"import": data})  # fmt: skip
