"""Every operation of the OpenAPI document that takes a body answers unreadable bodies with a 4xx, never a 5xx.

Unknown charsets, invalid UTF-8, JSON nested past the recursion limit and broken multipart forms, sent with
valid credentials (business API key and browser session) so each route gets as far as reading its body.
"""

from __future__ import annotations

from tests.attacks.conftest import Client
from tests.fuzz.live import Tenant
from worker.context import AppContext
from worker.web.openapi import build_document

BODIES = [
    ("application/json; charset=bogus", b'{"site": "MCO"}'),
    ("application/json", b'{"site": "\xff\xfe"}'),
    ("application/json", b"[" * 50_000),
    ("application/json", b'{"site": ' * 5_000),
    ("application/x-www-form-urlencoded; charset=bogus", b"token=x&csrf=y"),
    ("application/x-www-form-urlencoded", b"token=%ff\xff&csrf=\xfe"),
    ("multipart/form-data", b"garbage"),
    ("multipart/form-data; boundary=zz", b"garbage"),
    ("multipart/form-data; boundary=zz", b'--zz\r\nContent-Disposition: form-data; name="token"\r\n'
     b"Content-Type: text/plain; charset=bogus\r\n\r\nabc\r\n--zz--\r\n"),
    ("text/plain; charset=utf-8", b"\x00" * 100),
]  # fmt: skip


def operations_with_a_body(context: AppContext) -> list[tuple[str, str]]:
    paths = build_document(context.settings.ml_redirect_uri)["paths"]
    return [(method, path) for path, item in paths.items() for method, op in item.items() if "requestBody" in op]


async def test_unreadable_bodies_never_get_a_5xx(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    mine = tenants[0]
    operations = operations_with_a_body(context)
    answers: dict[tuple[str, str, int], int] = {}
    for method, path in operations:
        url = path.replace("{account_id}", str(mine.account_id))
        for index, (content_type, body) in enumerate(BODIES):
            headers = {**mine.auth, "Content-Type": content_type}
            response = await client.request(
                method, url, data=body, headers=headers, cookies=mine.browser(context.settings)
            )
            answers[(method, path, index)] = response.status

    assert {(m, p) for m, p, _ in answers} == set(operations)
    assert {key: status for key, status in answers.items() if not 400 <= status < 500} == {}
