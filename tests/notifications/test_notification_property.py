"""Property: any bytes, and any JSON object, either parse into a Notification or raise NotificationError."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.mercadolibre.notifications import Notification, NotificationError, parse_notification, resource_ref

KEYS = ["_id", "id", "resource", "user_id", "topic", "application_id", "attempts", "sent", "received", "actions"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["orders_v2", "payments", "post_purchase", "claims", "shipments", "items"]),
    st.sampled_from(["/orders/1", "orders/2", "/collections/3", "/v1/claims/4", "//x/orders/1", "/orders/1\n"]),
    st.sampled_from(["2026-11-20T14:05:33.412Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]),
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner), max_leaves=6
)


def check(raw: bytes) -> None:
    try:
        notification = parse_notification(raw)
    except NotificationError as error:
        assert str(error)
        return
    assert isinstance(notification, Notification)
    resource_ref(notification)


@settings(max_examples=500)
@given(st.binary(max_size=300))
def test_any_bytes(raw: bytes) -> None:
    check(raw)


@settings(max_examples=1000)
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=len(KEYS)))
def test_any_json_object_with_notification_keys(data: dict[str, Any]) -> None:
    check(json.dumps(data).encode())
