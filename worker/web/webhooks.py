"""POST /webhooks/mercadolibre: validate, record durably, enqueue, answer 200. No ML API call here.

Bad input is answered with a reason and loses nothing we could use: malformed → 400, another application's
notification → 403, oversized → 413; a topic we do not process or an unknown or disconnected seller → 200 and
recorded as ignored. A 200 means the row is committed: it survives any crash and a Redis flush (the sweeper
re-enqueues pending rows).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web
from redis.exceptions import RedisError

from connectors.errors import Unavailable
from connectors.mercadolibre.notifications import Notification, NotificationError, parse_notification, resource_ref
from worker.logs import get_logger
from worker.store.inbox import NewNotification
from worker.store.models import InboxStatus
from worker.web.keys import CONTEXT, INTAKE

log = get_logger(__name__)
MAX_WEBHOOK_BODY = 16 * 1024
BODY_TIMEOUT = 10.0  # seconds to receive the whole body (slow-loris bound)


def _problem(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


async def _read_body(request: web.Request) -> bytes | web.Response:
    """The whole body, however it is split on the wire; 413 past the limit, 408 when it trickles in too slowly."""
    if (request.content_length or 0) > MAX_WEBHOOK_BODY:
        return _problem(413, f"body larger than {MAX_WEBHOOK_BODY} bytes")
    body = bytearray()
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            while len(body) <= MAX_WEBHOOK_BODY:  # read(n) returns what has arrived so far, not n bytes
                chunk = await request.content.read(MAX_WEBHOOK_BODY + 1 - len(body))
                if not chunk:
                    break
                body += chunk
    except TimeoutError:
        response = _problem(408, f"body not received within {BODY_TIMEOUT:g} seconds")
        response.force_close()
        return response
    if len(body) > MAX_WEBHOOK_BODY:
        return _problem(413, f"body larger than {MAX_WEBHOOK_BODY} bytes")
    return bytes(body)


async def _classify(request: web.Request, note: Notification, body: dict[str, Any]) -> NewNotification:
    """Decide what the row says: pending work, or ignored with a reason."""
    base: dict[str, Any] = {"topic": note.topic, "resource": note.resource, "user_id": note.user_id, "body": body}
    base["notification_id"] = note.notification_id
    ref = resource_ref(note)
    if ref is None:
        return NewNotification(**base, status=InboxStatus.IGNORED, reason=f"topic {note.topic} is not processed")
    account = await request.app[INTAKE].accounts.lookup(note.user_id)
    if account is None:
        return NewNotification(**base, status=InboxStatus.IGNORED, reason="unknown seller")
    if account.status == "disconnected":
        return NewNotification(**base, account_id=account.id, status=InboxStatus.IGNORED, reason="seller disconnected")
    return NewNotification(
        **base, account_id=account.id, kind=ref.kind.value, resource_id=ref.id, status=InboxStatus.PENDING
    )


async def receive(request: web.Request) -> web.Response:
    started = time.perf_counter()
    response, topic, outcome = await _handle(request)
    request.app[CONTEXT].metrics.notification(topic, outcome, time.perf_counter() - started)
    return response


async def _handle(request: web.Request) -> tuple[web.Response, str, str]:
    """The answer, plus the topic and outcome it is counted under."""
    body = await _read_body(request)
    if isinstance(body, web.Response):
        return body, "invalid", "too_large" if body.status == 413 else "timed_out"
    context = request.app[CONTEXT]
    try:
        note = parse_notification(body)
        if note.application_id != context.settings.ml_client_id:
            log.warning("ml.webhook.foreign_application", application_id=note.application_id, user_id=note.user_id)
            return _problem(403, "application_id is not this application"), note.topic, "foreign_application"
        row = await _classify(request, note, json.loads(body))
    except NotificationError as exc:
        log.info("ml.webhook.rejected", reason=str(exc))
        return _problem(400, str(exc)), "invalid", "malformed"
    try:
        row_id = await request.app[INTAKE].writer.write(row)
    except Unavailable as exc:  # we could not record it: ML must retry, so no 200
        log.error("ml.webhook.not_recorded", error=str(exc))
        return _problem(503, "temporarily unable to record the notification"), note.topic, "not_recorded"
    if row.status is InboxStatus.PENDING:
        try:
            await request.app[INTAKE].enqueuer.write(row_id)
        except (RedisError, OSError) as exc:  # recorded: the sweeper will enqueue it
            log.warning("ml.webhook.enqueue_failed", inbox_id=row_id, error=type(exc).__name__)
    log.info(
        "ml.webhook.accepted", inbox_id=row_id, topic=note.topic, resource=note.resource, user_id=note.user_id,
        status=row.status.value,
    )  # fmt: skip
    return web.json_response({"status": row.status.value, "id": row_id}), note.topic, row.status.value


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/mercadolibre", receive)
