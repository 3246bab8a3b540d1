"""Webhook bodies → Notification: the shapes ML really sends, each malformed case with its exact reason, and
resource paths that try to leave the ML API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.mercadolibre.constants import Kind, Topic
from connectors.mercadolibre.notifications import (
    PROCESSED_TOPICS,
    TOPICS,
    Notification,
    NotificationError,
    ResourceRef,
    parse_notification,
    resource_ref,
)

ORDER_BODY: dict[str, Any] = {
    "_id": "6560d1a2f3b4c5d6e7f80911",
    "resource": "/orders/2000009876543210",
    "user_id": 987654321,
    "topic": "orders_v2",
    "application_id": 1111222233334444,
    "attempts": 1,
    "sent": "2026-11-20T14:05:33.412Z",
    "received": "2026-11-20T14:05:33.398Z",
}


def body(**changes: Any) -> bytes:
    data = {**ORDER_BODY, **changes}
    return json.dumps({key: value for key, value in data.items() if value is not DROP}).encode()


DROP = object()


def test_orders_v2_notification_is_parsed_exactly() -> None:
    notification = parse_notification(body())

    assert notification == Notification(
        topic="orders_v2",
        resource="/orders/2000009876543210",
        user_id=987654321,
        application_id="1111222233334444",
        notification_id="6560d1a2f3b4c5d6e7f80911",
        attempts=1,
        sent=datetime(2026, 11, 20, 14, 5, 33, 412000, tzinfo=UTC),
        received=datetime(2026, 11, 20, 14, 5, 33, 398000, tzinfo=UTC),
        actions=(),
        ref=ResourceRef(Kind.ORDER, "2000009876543210", "/orders/2000009876543210"),
    )
    assert resource_ref(notification) == ResourceRef(Kind.ORDER, "2000009876543210", "/orders/2000009876543210")


def test_string_user_id_and_application_id_without_notification_id() -> None:
    notification = parse_notification(body(_id=DROP, user_id="987654321", application_id="1111222233334444"))

    assert (notification.user_id, notification.application_id, notification.notification_id) == (
        987654321,
        "1111222233334444",
        None,
    )


def test_whole_numbers_written_as_json_floats_are_integers() -> None:
    notification = parse_notification(body(user_id=987654321.0, application_id=1111222233334444.0, attempts=2.0))

    assert (notification.user_id, notification.application_id, notification.attempts) == (
        987654321,
        "1111222233334444",
        2,
    )


def test_post_purchase_with_id_actions_and_no_leading_slash() -> None:
    raw = {
        "id": "0b7c3f52-9a41-4e0e-8d7e-3c2a9f1b6d44",
        "resource": "post-purchase/v1/claims/5300012345",
        "user_id": 987654321,
        "topic": "post_purchase",
        "actions": ["claims"],
        "application_id": 1111222233334444,
        "attempts": 2,
        "sent": "2026-11-21T09:12:00.100Z",
        "received": "2026-11-21T09:11:58.950Z",
    }

    notification = parse_notification(json.dumps(raw).encode())

    assert notification.notification_id == "0b7c3f52-9a41-4e0e-8d7e-3c2a9f1b6d44"
    assert notification.resource == "/post-purchase/v1/claims/5300012345"
    assert notification.actions == ("claims",)
    assert resource_ref(notification) == ResourceRef(Kind.CLAIM, "5300012345", "/post-purchase/v1/claims/5300012345")


@pytest.mark.parametrize(
    ("topic", "resource", "expected"),
    [
        ("orders", "orders/2000009876543210", ResourceRef(Kind.ORDER, "2000009876543210", "/orders/2000009876543210")),
        (
            "created_orders",
            "/orders/2000009876543210",
            ResourceRef(Kind.ORDER, "2000009876543210", "/orders/2000009876543210"),
        ),
        ("shipments", "/shipments/44001234567", ResourceRef(Kind.SHIPMENT, "44001234567", "/shipments/44001234567")),
        ("payments", "/collections/91234567890", ResourceRef(Kind.PAYMENT, "91234567890", "/collections/91234567890")),
        ("payments", "/v1/payments/91234567890", ResourceRef(Kind.PAYMENT, "91234567890", "/collections/91234567890")),
        (
            "claims",
            "/v1/claims/5300012345",
            ResourceRef(Kind.CLAIM, "5300012345", "/post-purchase/v1/claims/5300012345"),
        ),
        ("claims", "claims/5300012345", ResourceRef(Kind.CLAIM, "5300012345", "/post-purchase/v1/claims/5300012345")),
    ],
)
def test_processed_topics_point_to_one_canonical_api_path(topic: str, resource: str, expected: ResourceRef) -> None:
    notification = parse_notification(body(topic=topic, resource=resource))

    assert notification.resource == expected.path
    assert resource_ref(notification) == expected


@pytest.mark.parametrize(
    ("topic", "resource"),
    [
        ("items", "/items/MLA1400123456"),
        ("questions", "/questions/13012345678"),
        ("messages", "0b2c9a7d5e3f4a1b8c6d"),
        ("catalog_suggestions", "whatever?x=1"),
        ("some_future_topic", "/future/1"),
    ],
)
def test_other_topics_are_accepted_kept_as_is_and_never_fetched(topic: str, resource: str) -> None:
    notification = parse_notification(body(topic=topic, resource=resource))

    assert notification.resource == resource
    assert resource_ref(notification) is None


def test_misspelled_recieved_is_read_and_naive_times_are_utc() -> None:
    notification = parse_notification(body(received=DROP, recieved="2026-11-20T14:05:33", sent=None))

    assert notification.received == datetime(2026, 11, 20, 14, 5, 33, tzinfo=UTC)
    assert notification.sent is None


def test_the_dispatch_table_is_the_list_of_processed_topics() -> None:
    assert (
        set(TOPICS)
        == PROCESSED_TOPICS
        == {
            Topic.ORDERS_V2,
            Topic.ORDERS,
            Topic.CREATED_ORDERS,
            Topic.SHIPMENTS,
            Topic.PAYMENTS,
            Topic.POST_PURCHASE,
            Topic.CLAIMS,
            Topic.MARKETPLACE_ORDERS,
            Topic.MARKETPLACE_ORDERS_ON_SITE,
            Topic.MARKETPLACE_SHIPMENTS,
            Topic.MARKETPLACE_CLAIMS,
        }
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "body is not JSON"),
        (b"{not json", "body is not JSON"),
        (b"\xff\xfe\x00garbage", "body is not JSON"),
        (b'{"user_id": NaN}', "body is not JSON"),
        (b"[" * 100_000, "body is not JSON"),
        (b"[]", "body must be a JSON object"),
        (b'"orders_v2"', "body must be a JSON object"),
        (body(topic=DROP), "topic: missing"),
        (body(topic=7), "topic: must be a non-empty string"),
        (body(topic=""), "topic: must be a non-empty string"),
        (body(resource=DROP), "resource: missing"),
        (body(resource=2000009876543210), "resource: must be a non-empty string"),
        (body(resource="x" * 600, topic="items"), "resource: too long"),
        (body(user_id=DROP), "user_id: missing"),
        (body(user_id="abc"), "user_id: must be a number"),
        (body(user_id=987654321.5), "user_id: must be a number"),
        (body(user_id=True), "user_id: must be a number"),
        (body(user_id=-1), "user_id: must be a number"),
        (body(user_id="٣٤٥"), "user_id: must be a number"),
        (body(application_id=DROP), "application_id: missing"),
        (body(application_id="app"), "application_id: must be a number"),
        (body(_id=["x"]), "_id: must be a string"),
        (body(attempts="1"), "attempts: must be a whole number"),
        (body(sent="yesterday"), "sent: must be an ISO 8601 time"),
        (body(received=1732111533), "received: must be an ISO 8601 time"),
        (body(actions="claims"), "actions: must be a list of strings"),
        (body(actions=[1]), "actions: must be a list of strings"),
    ],
)
def test_malformed_bodies_are_refused_with_a_short_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(NotificationError) as refused:
        parse_notification(raw)

    assert str(refused.value) == reason


@pytest.mark.parametrize(
    "resource",
    [
        "http://evil.example/orders/2000009876543210",
        "https://api.mercadolibre.com.evil.example/orders/1",
        "//evil.example/orders/2000009876543210",
        "/orders/../users/me",
        "/orders/2000009876543210/..",
        "/orders/%2e%2e/users/me",
        "/orders/%32000009876543210",
        "/orders/2000009876543210%0d%0aHost: evil",
        "/orders/2000009876543210\r\nHost: evil",
        "/orders/2000009876543210\n",
        "/orders/2000009876543210#x",
        "\\orders\\2000009876543210",
        "/orders\\2000009876543210",
        "/orders/ 2000009876543210",
        "/orders/2000009876543210 ",
        "/orders/٢٠٠٠",
        "/orders/",
        "/orders/abc",
        "/orders/2000009876543210/items",
        "/shipments/44001234567",
        "@evil.example/orders/1",
        "/orders/" + "9" * 21,
    ],
)
def test_resources_that_could_leave_the_ml_api_are_refused(resource: str) -> None:
    with pytest.raises(NotificationError) as refused:
        parse_notification(body(resource=resource))

    assert str(refused.value) == "resource: must look like /orders/{id} for topic orders_v2"


@pytest.mark.parametrize(
    ("topic", "resource", "reason"),
    [
        ("shipments", "/shipments/1/../../users/me", "resource: must look like /shipments/{id} for topic shipments"),
        ("payments", "/payments/91234567890", "resource: must look like /collections/{id} for topic payments"),
        (
            "post_purchase",
            "/post-purchase/v1/claims/5300012345/x",
            "resource: must look like /post-purchase/v1/claims/{id} for topic post_purchase",
        ),
    ],
)
def test_each_processed_topic_has_its_own_strict_shape(topic: str, resource: str, reason: str) -> None:
    with pytest.raises(NotificationError) as refused:
        parse_notification(body(topic=topic, resource=resource))

    assert str(refused.value) == reason


@pytest.mark.parametrize(
    ("topic", "resource", "canonical"),
    [
        ("orders_v2", "/orders/2000009876543210/", "/orders/2000009876543210"),
        ("orders_v2", "/orders/2000009876543210?access_token=x", "/orders/2000009876543210"),
        ("orders_v2", "/orders/2000009876543210/?attempt=2", "/orders/2000009876543210"),
        ("shipments", "shipments/44001234567/", "/shipments/44001234567"),
        ("post_purchase", "/post-purchase/v1/claims/5300012345?x=1", "/post-purchase/v1/claims/5300012345"),
    ],
)
def test_a_trailing_slash_or_query_string_names_the_same_document(topic: str, resource: str, canonical: str) -> None:
    note = parse_notification(body(topic=topic, resource=resource))

    assert note.resource == canonical
    assert note.ref is not None and note.ref.path == canonical
