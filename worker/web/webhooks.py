"""POST /webhooks/mercadolibre: validate, record durably, enqueue, answer 200. No ML API call here.

Bad input is answered with a reason and loses nothing we could use: malformed → 400, another application's
notification → 403, oversized → 413; a topic we do not process or an unknown or disconnected seller → 200 and
recorded as ignored, without its body (its hash only). A 200 means the row is committed: it survives any crash
and a Redis flush (the sweeper re-enqueues pending rows).

Abuse: with `MELI_WEBHOOK_PATH_SECRET` the route is `/webhooks/mercadolibre/<secret>` and everything else 404;
with `MELI_WEBHOOK_ALLOWED_NETWORKS` other sources get 403. A connected seller's notifications beyond its
intake budget (`worker.web.gate`) are recorded as throttled, without body, and covered by its catch-up re-sync.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from typing import Any

from aiohttp import web

from connectors.errors import InvalidRecord
from connectors.mercadolibre.notifications import (
    Notification,
    NotificationError,
    load_body,
    notification_from,
    resource_ref,
)
from worker.errors import Unavailable
from worker.logs import get_logger
from worker.store.inbox import NewNotification
from worker.store.models import AccountStatus, InboxStatus
from worker.web.edge import allowed_source, client_address
from worker.web.intake import Intake
from worker.web.keys import CONTEXT, INTAKE, OPTIONS
from worker.web.options import WebOptions

log = get_logger(__name__)
WEBHOOK_PATH = "/webhooks/mercadolibre"
MAX_WEBHOOK_BODY = 16 * 1024
BODY_TIMEOUT = 10.0  # seconds to receive the whole body (slow-loris bound)
_STATUS_JSON = {status: status.value.encode() for status in InboxStatus}
_JSON = {"Content-Type": "application/json"}


def _problem(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def _too_large() -> web.Response:
    return _problem(413, f"body larger than {MAX_WEBHOOK_BODY} bytes")


async def _read_body(request: web.Request) -> bytes | web.Response:
    """The whole body, however it is split on the wire; 413 past the limit, 408 when it trickles in too slowly."""
    if (request.content_length or 0) > MAX_WEBHOOK_BODY:
        return _too_large()
    if request.content.is_eof():  # the usual case: the body came with the headers; nothing to wait for
        whole = request.content.read_nowait()
        return whole if len(whole) <= MAX_WEBHOOK_BODY else _too_large()
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
        return _too_large()
    return bytes(body)


async def _classify(intake: Intake, note: Notification, body: dict[str, Any], raw: bytes) -> NewNotification:
    """Decide what the row says: pending work, throttled work (the catch-up covers it), or ignored with a reason.
    Only pending rows keep the body; the others keep its hash."""
    ref = resource_ref(note)
    account = None if ref is None else await intake.accounts.lookup(note.user_id)
    reason: str | None
    if ref is None:
        status, reason = InboxStatus.IGNORED, f"topic {note.topic} is not processed"
    elif account is None:
        status, reason = InboxStatus.IGNORED, "unknown seller"
    elif account.status == AccountStatus.DISCONNECTED:
        status, reason = InboxStatus.IGNORED, "seller disconnected"
    else:
        reason = intake.gate.admit(account)
        status = InboxStatus.PENDING if reason is None else InboxStatus.THROTTLED
    work = ref if status is not InboxStatus.IGNORED else None  # what the job or the catch-up looks at
    kept = status is InboxStatus.PENDING
    return NewNotification(
        topic=note.topic, resource=note.resource, user_id=note.user_id, body=body if kept else {}, status=status,
        notification_id=note.notification_id, account_id=account.id if account is not None else None,
        kind=work.kind.value if work else None, resource_id=work.id if work else None, reason=reason,
        body_text=_utf8(raw) if kept else None, body_sha256=None if kept else hashlib.sha256(raw).hexdigest(),
    )  # fmt: skip


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode()
    except UnicodeDecodeError:  # JSON in UTF-16 or UTF-32: stored re-encoded instead
        return None


def _refused(request: web.Request, options: WebOptions) -> web.Response | None:
    """404 off the secret path (when there is one), 403 from a source outside the allowed networks."""
    secret = options.webhook_path_secret.encode() if options.webhook_path_secret else None
    sent = request.match_info.get("secret")
    if (secret is None) != (sent is None) or (secret and not hmac.compare_digest(secret, (sent or "").encode())):
        return _problem(404, "not found")
    if not allowed_source(client_address(request, options.trusted_proxies), options.allowed_networks):
        return _problem(403, "source not allowed")
    return None


async def receive(request: web.Request) -> web.Response:
    started = time.perf_counter()
    refused = _refused(request, request.app[OPTIONS])
    if refused is not None:
        request.app[CONTEXT].metrics.notification("invalid", "refused", time.perf_counter() - started)
        return refused
    response, topic, outcome = await _handle(request)
    request.app[CONTEXT].metrics.notification(topic, outcome, time.perf_counter() - started)
    return response


async def _handle(request: web.Request) -> tuple[web.Response, str, str]:
    """The answer, plus the topic and outcome it is counted under."""
    body = await _read_body(request)
    if isinstance(body, web.Response):
        return body, "invalid", "too_large" if body.status == 413 else "timed_out"
    intake = request.app[INTAKE]
    try:
        data = load_body(body)
        note = notification_from(data)
        if note.application_id != request.app[OPTIONS].ml_client_id:
            log.warning("ml.webhook.foreign_application", application_id=note.application_id, user_id=note.user_id)
            return _problem(403, "application_id is not this application"), note.topic, "foreign_application"
        row = await _classify(intake, note, data, body)
    except NotificationError as exc:
        log.info("ml.webhook.rejected", reason=str(exc))
        return _problem(400, str(exc)), "invalid", "malformed"
    try:
        row_id = await intake.writer.write(row)
    except Unavailable as exc:  # we could not record it: ML must retry, so no 200
        log.error("ml.webhook.not_recorded", error=str(exc))
        return _problem(503, "temporarily unable to record the notification"), note.topic, "not_recorded"
    except InvalidRecord as exc:  # a value the database cannot store got past the parser: this one only
        log.warning("ml.webhook.refused", reason=str(exc), user_id=note.user_id)
        return _problem(400, str(exc)), note.topic, "malformed"
    if row.status is InboxStatus.PENDING:
        assert row.account_id is not None
        intake.jobs.submit(row.account_id)  # the row is durable: answering need not wait for Redis
    elif row.status is InboxStatus.THROTTLED and row.account_id is not None:
        intake.jobs.submit_catchup(row.account_id)
    # No log line per accepted notification: the inbox row is the record (`meli explain`), /metrics the counts.
    answer = b'{"status": "%s", "id": %d}' % (_STATUS_JSON[row.status], row_id)
    return web.Response(body=answer, headers=_JSON), note.topic, row.status


def setup(app: web.Application) -> None:
    """Both routes always exist; `_refused` answers 404 on the one the settings do not use."""
    app.router.add_post(WEBHOOK_PATH, receive)
    app.router.add_post(WEBHOOK_PATH + "/{secret}", receive)
