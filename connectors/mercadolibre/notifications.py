"""ML webhook notifications: parse the body at the boundary and say which API document it points to.

A notification only says *that* a resource changed. `parse_notification` checks its shape and pins the
`resource` of every topic we process to a strict path pattern, so a forged body can never make us call
anything but the ML API path we expect. `TOPICS` is the one table of processed topics; every other topic is
acknowledged and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import orjson

from connectors.errors import MeliError
from connectors.mercadolibre.constants import Kind, Topic

_ID = r"([0-9]{1,20})"
_MAX_TEXT = 512
MAX_ID = 64  # ML's notification ids are 24-36 characters


class NotificationError(MeliError):
    """The body is not a notification we can accept; the message is a short reason for a 400 answer."""


@dataclass(frozen=True)
class ResourceRule:
    """Which document a topic's resource names, the accepted path shapes and the canonical path."""

    kind: Kind
    patterns: tuple[re.Pattern[str], ...]
    canonical: str

    def match(self, resource: str) -> str | None:
        """The numeric id when `resource` has one of the accepted shapes, else None."""
        for pattern in self.patterns:
            found = pattern.fullmatch(resource)
            if found:
                return found.group(1)
        return None


def _rule(kind: Kind, canonical: str, *shapes: str) -> ResourceRule:
    patterns = tuple(re.compile(shape.replace("{id}", _ID), re.ASCII) for shape in (canonical, *shapes))
    return ResourceRule(kind, patterns, canonical)


_ORDER = _rule(Kind.ORDER, "/orders/{id}")
# A return is a claim's: `/post-purchase/v2/claims/{id}/returns` names the claim whose order to sync.
_CLAIM = _rule(
    Kind.CLAIM,
    "/post-purchase/v1/claims/{id}",
    "/v1/claims/{id}",
    "/claims/{id}",
    "/post-purchase/v2/claims/{id}/returns",
    "/marketplace/claims/{id}",
)
_SHIPMENT = _rule(Kind.SHIPMENT, "/shipments/{id}", "/marketplace/shipments/{id}")
_MARKETPLACE_ORDER = _rule(Kind.MARKETPLACE_ORDER, "/marketplace/orders/{id}")

TOPICS: Final[dict[Topic, ResourceRule]] = {
    Topic.ORDERS_V2: _ORDER,
    Topic.ORDERS: _ORDER,
    Topic.CREATED_ORDERS: _ORDER,
    Topic.SHIPMENTS: _SHIPMENT,
    Topic.PAYMENTS: _rule(Kind.PAYMENT, "/collections/{id}", "/v1/payments/{id}", "/collections/notifications/{id}"),
    Topic.POST_PURCHASE: _CLAIM,
    Topic.CLAIMS: _CLAIM,
    Topic.MARKETPLACE_ORDERS: _MARKETPLACE_ORDER,
    Topic.MARKETPLACE_ORDERS_ON_SITE: _MARKETPLACE_ORDER,
    Topic.MARKETPLACE_SHIPMENTS: _SHIPMENT,
    Topic.MARKETPLACE_CLAIMS: _CLAIM,
}
PROCESSED_TOPICS: Final = frozenset(TOPICS)


@dataclass(frozen=True)
class ResourceRef:
    """The ML document a notification points to."""

    kind: Kind
    id: str
    path: str


@dataclass(slots=True)
class Notification:
    """A validated notification (built once per webhook request: plain slots, no frozen-dataclass setattr cost)."""

    topic: str
    resource: str
    user_id: int
    application_id: str
    notification_id: str | None = None
    attempts: int | None = None
    sent: datetime | None = None
    received: datetime | None = None
    actions: tuple[str, ...] = ()
    ref: ResourceRef | None = None  # the document to fetch; None for topics we do not process


_TOPIC_BY_NAME: Final = {topic.value: topic for topic in Topic}


def known_topic(topic: str) -> Topic | None:
    return _TOPIC_BY_NAME.get(topic)


def resource_ref(notification: Notification) -> ResourceRef | None:
    """The document to fetch for this notification; None for ignored topics."""
    return notification.ref


def parse_notification(body: bytes) -> Notification:
    """Parse and validate a webhook body. Raises NotificationError with a short reason."""
    return notification_from(load_body(body))


def notification_from(data: dict[str, Any]) -> Notification:
    """Validate an already decoded body (`load_body`), so a caller that keeps the JSON decodes it once."""
    topic = _storable("topic", _text(data, "topic"))
    resource, ref = _resource(topic, data.get("resource"))
    return Notification(
        topic=topic,
        resource=resource,
        user_id=_number(data, "user_id"),
        application_id=str(_number(data, "application_id")),
        notification_id=_notification_id(data),
        attempts=_attempts(data.get("attempts")),
        sent=_time("sent", data.get("sent")),
        received=_time("received", data.get("received", data.get("recieved"))),
        actions=_actions(data.get("actions")),
        ref=ref,
    )


def load_body(body: bytes) -> dict[str, Any]:
    """The body as a JSON object (orjson: strict JSON, so no NaN or Infinity; a fifth of the stdlib's time on the
    webhook's hot path)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NotificationError("body is not JSON") from None
    if not isinstance(data, dict):
        raise NotificationError("body must be a JSON object")
    return data


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        raise NotificationError(f"{key}: missing")
    if not isinstance(value, str) or not value.strip():
        raise NotificationError(f"{key}: must be a non-empty string")
    if len(value) > _MAX_TEXT:
        raise NotificationError(f"{key}: too long")
    return value


def _storable(key: str, value: str) -> str:
    """Text kept as received must be storable as is (PostgreSQL text holds no NUL)."""
    if "\x00" in value:
        raise NotificationError(f"{key}: must not contain NUL characters")
    return value


def _resource(topic: str, value: object) -> tuple[str, ResourceRef | None]:
    """The resource as recorded (canonical for processed topics) and the document it names."""
    resource = _text({"resource": value}, "resource")
    known = known_topic(topic)
    rule = TOPICS.get(known) if known else None
    if rule is None:
        return _storable("resource", resource), None  # kept as-is for the record; never fetched
    found = rule.match(_path(resource))
    if found is None:
        raise NotificationError(f"resource: must look like {rule.canonical} for topic {topic}")
    canonical = rule.canonical.replace("{id}", found)
    return canonical, ResourceRef(rule.kind, found, canonical)


def _path(resource: str) -> str:
    """The resource as a path to match: leading slash added (older claims resources lack it), query string and
    one trailing slash dropped (`/orders/123/?foo=1` names `/orders/123`)."""
    path = resource.split("?", 1)[0]
    path = path if path.startswith("/") else "/" + path
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


def _number(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if value is None:
        raise NotificationError(f"{key}: missing")
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,19}", value, re.ASCII):
        value = int(value)
    value = _whole(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise NotificationError(f"{key}: must be a number")
    return value


def _notification_id(data: dict[str, Any]) -> str | None:
    value = data.get("_id")
    if value is None or value == "":
        value = data.get("id")
    if value is None or value == "":
        return None
    value = _whole(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or "\x00" in value:
        raise NotificationError("_id: must be a string")
    if len(value) > MAX_ID:
        raise NotificationError(f"_id: longer than {MAX_ID} characters")
    return value


def _whole(value: object) -> object:
    """JSON's 42.0 is the integer 42."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _attempts(value: object) -> int | None:
    if value is None:
        return None
    value = _whole(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise NotificationError("attempts: must be a whole number")
    return value


def _time(key: str, value: object) -> datetime | None:
    """ML sends UTC times (`2026-11-20T14:05:33.412Z`); a time without offset is read as UTC."""
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise TypeError
        stripped = value.strip()
        moment = datetime.fromisoformat(stripped)
        if moment.tzinfo is UTC:  # ML's usual spelling: nothing to convert
            return moment
        zone = moment.tzinfo if moment.utcoffset() is not None else UTC
        return moment.replace(tzinfo=zone).astimezone(UTC)
    except (TypeError, ValueError, OverflowError):
        raise NotificationError(f"{key}: must be an ISO 8601 time") from None


def _actions(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(action, str) for action in value):
        raise NotificationError("actions: must be a list of strings")
    return tuple(value)
