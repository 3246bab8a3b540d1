"""The business API as an integrator uses it: filters honoured or refused by name, an end-of-stream marker, the
two orders, one time format, what an event points to (subscriber, order), and the /docs page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.events import Action, Subscriber
from connectors.mercadolibre.mapping import EMITTED_ACTIONS
from tests.harness.shop import T0, Shop, add_order, paid_order, record
from tests.web.conftest import Client
from worker.context import AppContext
from worker.settings import Settings
from worker.store.accounts import TokenSet, link_account
from worker.store.businesses import create_business
from worker.store.crypto import TokenCipher
from worker.store.events import append_events
from worker.web.event_params import cursor_of
from worker.web.openapi import build_document

BUYER, OTHER_BUYER, ORDER = "1122334455", "5544332211", "2000009876543210"
Z_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")


async def a_business(context: AppContext, name: str = "Tienda") -> tuple[int, str, Shop, Shop]:
    """A business with two buyers, one order of the first buyer, and five events:
    stored order e1..e5, happened order e3, e1, e5, e2, e4 (an import stored old events last)."""
    db = context.db
    business, key = await create_business(db, name, "CO")
    assert business.id is not None
    buyer = Subscriber(BUYER, "mercadolibre", nickname="COMPRADOR")
    shop = await add_order(db, business.id, buyer, paid_order(ORDER, currency="COP"))
    other_shop = await add_order(db, business.id, Subscriber(OTHER_BUYER, "mercadolibre"), None)
    minutes = {"e1": 1, "e2": 3, "e3": 0, "e4": 4, "e5": 2}
    actions = {"e2": "order.shipped", "e4": "order.shipped"}
    for key_name, offset in minutes.items():
        owner = other_shop if key_name == "e5" else shop
        origin = "backfill" if key_name == "e4" else "live"
        action = actions.get(key_name, "order.confirmed")
        made = record(owner, key_name, tracked_at=T0 + timedelta(minutes=offset), action=action, origin=origin)
        await append_events(db, business.id, [made])
    return business.id, key, shop, other_shop


async def get(client: Client, path: str, key: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    response = await client.get(path, headers=headers)
    return response.status, await response.json()


def keys(body: dict[str, Any]) -> list[str]:
    return [event["dedupe_key"] for event in body["events"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=order.shipped", ["e2", "e4"]),
        ("origin=backfill", ["e4"]),
        (f"subscriber={OTHER_BUYER}", ["e5"]),
        (f"order={ORDER}&action=order.confirmed", ["e1", "e3"]),
        ("tracked_since=2026-11-20T14:04:13.500Z&tracked_until=2026-11-20T14:06:13.500Z", ["e2", "e5"]),
        ("tracked_since=2026-11-20T09:04:13.500-05:00", ["e2", "e4", "e5"]),
        ("tracked_since=2026-11-20t14:04:13.500z", ["e2", "e4", "e5"]),  # RFC 3339 allows lower-case t and z
        ("tracked_since=2026-11-20T15:04:13.500+01:00", ["e2", "e4", "e5"]),  # `+` unencoded reads as a space
    ],
)
async def test_filters_are_honoured(client: Client, context: AppContext, query: str, expected: list[str]) -> None:
    _, key, _, _ = await a_business(context)

    status, body = await get(client, f"/api/v1/events?{query}", key)

    assert (status, keys(body), body["has_more"]) == (200, expected, False)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("actoin=order.shipped", "unknown query parameter actoin; known: after, cursor, limit, sort, action, origin, "
                                 "order, subscriber, tracked_since, tracked_until"),
        ("action=cart.added", "action must be one of " + ", ".join(EMITTED_ACTIONS)),
        ("action=order.shipped&action=order.confirmed", "action is given more than once"),
        ("origin=webhook", "origin must be one of live, missed_feed, reconcile, backfill, replay"),
        ("order=abc", "order must be a Mercado Libre id (digits)"),
        ("tracked_since=2026-11-20", "tracked_since must be an RFC 3339 time with a zone, e.g. 2026-03-01T00:00:00Z"),
        ("tracked_until=2026-11-20T14:00:00", "tracked_until must be an RFC 3339 time with a zone, "
                                              "e.g. 2026-03-01T00:00:00Z"),
        ("sort=newest", "sort must be one of id, tracked_at"),
        ("cursor=20261120T140213500000-1", "cursor must be a next_cursor this API returned"),
        ("sort=tracked_at&cursor=yesterday", "cursor must be a next_cursor this API returned"),
        ("limit=0", "limit must be a whole number from 1 to 1000"),
    ],
)  # fmt: skip
async def test_bad_or_unknown_parameters_are_refused_by_name(
    client: Client, context: AppContext, query: str, message: str
) -> None:
    _, key, _, _ = await a_business(context)

    status, body = await get(client, f"/api/v1/events?{query}", key)

    assert (status, body) == (400, {"error": "invalid_request", "message": message})


async def test_has_more_marks_the_end_of_what_is_stored(client: Client, context: AppContext) -> None:
    _, key, _, _ = await a_business(context)

    first = (await get(client, "/api/v1/events?limit=3", key))[1]
    last = (await get(client, f"/api/v1/events?limit=3&after={first['next_after']}", key))[1]
    empty = (await get(client, f"/api/v1/events?after={last['next_after']}", key))[1]

    assert (keys(first), first["has_more"], first["next_cursor"]) == (["e1", "e2", "e3"], True, None)
    assert (keys(last), last["has_more"]) == (["e4", "e5"], False)
    assert (empty["events"], empty["has_more"], empty["next_after"]) == ([], False, last["next_after"])


async def test_tracked_at_order_pages_by_time_then_id(client: Client, context: AppContext) -> None:
    _, key, _, _ = await a_business(context)

    pages: list[dict[str, Any]] = [(await get(client, "/api/v1/events?sort=tracked_at&limit=2", key))[1]]
    while pages[-1]["has_more"]:
        cursor = pages[-1]["next_cursor"]
        pages.append((await get(client, f"/api/v1/events?sort=tracked_at&limit=2&cursor={cursor}", key))[1])

    assert [keys(page) for page in pages] == [["e3", "e1"], ["e5", "e2"], ["e4"]]
    assert [page["next_cursor"] is None for page in pages] == [False, False, True]
    assert {page["next_after"] for page in pages} == {None}


async def test_times_are_utc_with_milliseconds_and_z_everywhere(
    client: Client, context: AppContext, settings: Settings
) -> None:
    business_id, key, _, _ = await a_business(context)
    cipher = TokenCipher([k.get_secret_value() for k in settings.token_encryption_keys])
    tokens = TokenSet("access", "refresh", datetime.now(UTC) + timedelta(hours=6))
    await link_account(context.db, cipher, business_id=business_id, seller_id=7001, site_id="MCO", nickname="S",
                       tokens=tokens)  # fmt: skip

    _, events = await get(client, "/api/v1/events", key)
    _, accounts = await get(client, "/api/v1/accounts", key)
    _, order = await get(client, f"/api/v1/orders/{ORDER}", key)
    _, subscriber = await get(client, f"/api/v1/subscribers/{BUYER}", key)
    link = await (await client.post("/api/v1/connect-links", headers={"Authorization": f"Bearer {key}"})).json()

    times = [events["events"][0]["tracked_at"], events["events"][0]["recorded_at"], link["expires_at"]]
    times += [accounts["accounts"][0][name] for name in ("connected_at", "token_expires_at")]
    times += [order["fetched_at"], order["changed_at"], subscriber["first_seen_at"], subscriber["updated_at"]]
    assert [moment for moment in times if not Z_TIME.match(moment)] == []


async def test_missing_and_wrong_keys_get_different_messages(client: Client, context: AppContext) -> None:
    await a_business(context)

    missing = await get(client, "/api/v1/events", None)
    wrong = await get(client, "/api/v1/events", "mk_wrong")

    no_key = "no API key: send the business API key as 'Authorization: Bearer <key>'"
    bad_key = "this API key is not valid (mistyped, or replaced by `meli business rotate-key`)"
    assert missing == (401, {"error": "unauthorized", "message": no_key})
    assert wrong == (401, {"error": "unauthorized", "message": bad_key})


async def test_an_events_subscriber_and_order_can_be_read(client: Client, context: AppContext) -> None:
    _, key, _, _ = await a_business(context)
    _, other_key, _, _ = await a_business(context, "Otra")  # the same buyer and order number, its own records

    subscriber = await get(client, f"/api/v1/subscribers/{BUYER}", key)
    status, order = await get(client, f"/api/v1/orders/{ORDER}", key)
    unknown_subscriber = await get(client, "/api/v1/subscribers/999", key)
    unknown_order = await get(client, "/api/v1/orders/1", other_key)
    others = (await get(client, f"/api/v1/orders/{ORDER}", other_key))[1]

    assert subscriber[0] == 200
    assert {k: v for k, v in subscriber[1].items() if not k.endswith("_at")} == {
        "external_id": BUYER, "source": "mercadolibre", "nickname": "COMPRADOR", "first_name": None,
        "last_name": None, "email": None, "phone": None,
    }  # fmt: skip
    assert status == 200
    assert {k: order[k] for k in ("reference", "status", "currency", "subscriber_external_id")} == {
        "reference": ORDER, "status": "paid", "currency": "COP", "subscriber_external_id": BUYER,
    }  # fmt: skip
    assert keys(order) == ["e3", "e1", "e2", "e4"]  # the order's events, in the order they happened
    assert unknown_subscriber == (404, {"error": "not_found", "message": "no such subscriber for this business"})
    assert unknown_order == (404, {"error": "not_found", "message": "no such order for this business"})
    assert not {event["id"] for event in order["events"]} & {event["id"] for event in others["events"]}


def test_the_documented_actions_are_the_ones_the_mapping_emits() -> None:
    mapping = Path(__file__).parents[2] / "connectors" / "mercadolibre" / "mapping"
    used = {
        Action[name].value
        for path in mapping.glob("*.py")
        if path.name != "order.py"
        for name in re.findall(r"Action\.([A-Z_]+)", path.read_text())
    }
    document = build_document(Settings(_env_file=None).ml_redirect_uri)
    listed = document["components"]["schemas"]["Event"]["properties"]["action"]["enum"]
    parameter = next(p for p in document["paths"]["/api/v1/events"]["get"]["parameters"] if p["name"] == "action")

    assert sorted(used) == sorted(EMITTED_ACTIONS) == sorted(listed) == sorted(parameter["schema"]["enum"])
    assert len(EMITTED_ACTIONS) < len(Action)


async def test_docs_page_shows_the_api_with_a_curl_line(client: Client, settings: Settings) -> None:
    response = await client.get("/docs")
    text = await response.text()

    assert (response.status, response.content_type) == (200, "text/html")
    assert response.headers["Cache-Control"] == "no-store"
    assert (
        f'curl -H "Authorization: Bearer $MELI_API_KEY" "{settings.public_base_url}/api/v1/events?limit=10"'.replace(
            '"', "&quot;"
        )
        in text
    )
    for route in ("/api/v1/events", "/api/v1/orders/{reference}", "/api/v1/subscribers/{external_id}",
                  "/api/v1/webhooks"):  # fmt: skip
        assert f"<code>{route}</code>" in text
    assert "/webhooks/mercadolibre" not in text and "/metrics" not in text


async def test_after_and_cursor_are_lower_bounds_in_either_order(client: Client, context: AppContext) -> None:
    _, key, _, _ = await a_business(context)
    stored = (await get(client, "/api/v1/events", key))[1]["events"]
    e1, e2 = stored[0], stored[1]
    past_e1 = cursor_of(T0 + timedelta(minutes=1), e1["id"])

    by_time = (await get(client, f"/api/v1/events?sort=tracked_at&after={e2['id']}", key))[1]
    by_id = (await get(client, f"/api/v1/events?cursor={past_e1}", key))[1]

    assert (keys(by_time), by_time["next_cursor"]) == (["e3", "e5", "e4"], None)
    assert (keys(by_id), by_id["next_after"]) == (["e2", "e4", "e5"], stored[4]["id"])
