"""Known-good inputs mixed into the fuzzing, so the success paths (200, 201, 303) are checked too.

Generated from the schema alone, a notification almost never names a processed topic, a matching resource and
this application, and a path id almost never names a real account; these strategies do.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from hypothesis import strategies as st
from schemathesis import APIOperation, Case

from connectors.mercadolibre.notifications import TOPICS, known_topic
from tests.fuzz.live import LiveApp

Operation = APIOperation[Any, Any, Any, Any]
AnyCase = Case[Any]
TEXT = st.text(min_size=1, max_size=40).filter(str.strip)


@st.composite
def notifications(draw: st.DrawFn, sellers: list[int], application_id: str) -> dict[str, Any]:
    """Valid notification bodies: processed topics with every accepted resource shape, or any other topic."""
    topic = draw(st.sampled_from([t.value for t in TOPICS]) | TEXT)
    known = known_topic(topic)
    rule = TOPICS.get(known) if known else None
    if rule is None:
        resource = draw(TEXT)
    else:
        resource = draw(st.sampled_from(rule.patterns).flatmap(lambda p: st.from_regex(p, fullmatch=True)))
    seller = draw(st.sampled_from(sellers) | st.integers(1, 2**63 - 1))
    body: dict[str, Any] = {
        "topic": topic,
        "resource": resource,
        "user_id": draw(st.sampled_from([seller, str(seller)])),
        "application_id": draw(st.sampled_from([application_id, int(application_id)])),
    }
    optional = {
        "_id": st.text(max_size=30),
        "attempts": st.integers(0, 2**31 - 1),
        "sent": st.datetimes(timezones=st.just(UTC)).map(lambda t: t.isoformat()),
        "actions": st.lists(st.text(max_size=10), max_size=3),
    }
    for key, values in optional.items():
        if draw(st.booleans()):
            body[key] = draw(values)
    return body


def known_good(live: LiveApp, operation: Operation) -> list[st.SearchStrategy[AnyCase]]:
    """Strategies for requests to `operation` that should succeed (or reach the check after authentication)."""
    mine, other = live.tenants
    if operation.label == "POST /webhooks/mercadolibre":
        bodies = notifications([mine.seller_id, other.seller_id], live.settings.ml_client_id)
        return [bodies.flatmap(lambda body: operation.as_strategy(body=body))]
    token = mine.connect_token(live.settings)
    accounts = [{"path_parameters": {"account_id": tenant.account_id}} for tenant in (mine, other)]
    fixed: dict[str, list[dict[str, Any]]] = {
        "GET /connect": [{"query": {"token": token}}],
        "POST /connect/start": [
            {"body": {"token": token, "csrf": mine.start_csrf}},
            {"body": {"token": token, "site": "MLA", "csrf": mine.start_csrf}},
        ],
        "GET /api/v1/accounts/{account_id}": accounts,
        "GET /api/v1/accounts/{account_id}/backfill": accounts,
        "GET /accounts/{account_id}": accounts,
        "POST /accounts/{account_id}/disconnect": accounts,
    }
    return [operation.as_strategy(**kwargs) for kwargs in fixed.get(operation.label, [])]
