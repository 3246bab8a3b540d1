"""Control API under `/_sandbox/` (no auth, no faults; not part of ML): sellers, tokens, faults, logs,
notification deliveries and the oracle. Order creation and transitions live in `control_orders.py`.

Routes:
  GET  /_sandbox                          run summary: clock, pending steps, sellers, knobs
  GET  /_sandbox/sellers                  test sellers (id, nickname, site_id, login, currency_id)
  POST /_sandbox/sellers                  {"site_id": "MLA", "global_selling"?: false} -> a new seller with
                                          items and buyers (Global Selling: `marketplace_*` notifications)
  POST /_sandbox/sellers/{id}/revoke      kill every code/token of the seller (re-authorization needed)
  POST /_sandbox/sellers/{id}/tokens      a token pair without the browser flow
  POST /_sandbox/tokens/expire            every access token expires now (refresh tokens stay valid)
  GET|PUT /_sandbox/faults                read / partially update the fault knobs
  GET|PUT /_sandbox/driver                read / set {"rate": steps per second}
  PUT  /_sandbox/callback                 {"url": "http://..."} where notifications go (null = nowhere)
  GET|DELETE /_sandbox/requests           request log (?path_prefix=&method=&seller_id=&status=) / clear it
  GET  /_sandbox/notifications            deliveries and attempts (?state=&topic=)
  GET  /_sandbox/history?seller_id=       ground-truth facts of a seller
  GET  /_sandbox/expected-events?seller_id=[&include_delivered=false][&with_known_at=true]   the oracle
                                          (order.delivered is included unless include_delivered=false;
                                          known_at: when the event became visible in the documents)
"""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from sandboxes.mercadolibre.builder import add_seller
from sandboxes.mercadolibre.clock import iso_utc
from sandboxes.mercadolibre.config import ConfigValueError
from sandboxes.mercadolibre.control_orders import body_json, seller_param
from sandboxes.mercadolibre.control_steps import add_order_routes
from sandboxes.mercadolibre.errors import bad_request, int_param
from sandboxes.mercadolibre.notifier import delivery_json
from sandboxes.mercadolibre.oracle import expected_events
from sandboxes.mercadolibre.render import dumps
from sandboxes.mercadolibre.requestlog import entry_json
from sandboxes.mercadolibre.sites import SITES
from sandboxes.mercadolibre.state import SANDBOX, Sandbox


def reply(doc: Any, status: int = 200) -> web.Response:
    return web.Response(body=dumps(doc), status=status, content_type="application/json", charset="utf-8")


def seller_json(sandbox: Sandbox, seller_id: int) -> dict[str, Any]:
    user = sandbox.world.users[seller_id]
    site = SITES[user.site_id]
    return {
        "id": user.id,
        "nickname": user.nickname,
        "site_id": user.site_id,
        "login": user.login,
        "currency_id": site.currency_id,
        "auth_host": site.auth_host,
        "global_selling": user.global_selling,
    }


async def get_summary(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    base = str(request.url.origin())
    return reply(
        {
            "api_base_url": base,
            "auth_base_url": base,
            "control_url": f"{base}/_sandbox",
            "client_id": sandbox.config.client_id,
            "redirect_uris": sandbox.config.redirect_uris,
            "callback_url": sandbox.notifier.callback_url,
            "sim_now": iso_utc(sandbox.world.cursor_ms),
            "pending_steps": sandbox.engine.pending,
            "rate": sandbox.driver.rate,
            "sellers": [seller_json(sandbox, sid) for sid in sandbox.world.sellers],
        }
    )


async def get_sellers(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    return reply({"sellers": [seller_json(sandbox, sid) for sid in sandbox.world.sellers]})


async def post_seller(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    body = await body_json(request)
    site_id = body.get("site_id", "MLA")
    if site_id not in SITES:
        raise bad_request(f"unknown site_id: {site_id}")
    global_selling = body.get("global_selling", False)
    if not isinstance(global_selling, bool):
        raise bad_request("global_selling must be true or false")
    seller_id = add_seller(sandbox.world, sandbox.config.seed, site_id, global_selling=global_selling)
    return reply(seller_json(sandbox, seller_id), 201)


async def post_revoke(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    seller_id = seller_param(sandbox, request.match_info["id"])
    sandbox.tokens.revoke(seller_id)
    return reply({"seller_id": seller_id, "revoked": True})


async def post_tokens(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    seller_id = seller_param(sandbox, request.match_info["id"])
    return reply(sandbox.tokens.issue_pair(seller_id), 201)


async def post_expire(request: web.Request) -> web.Response:
    return reply({"expired": request.app[SANDBOX].tokens.expire_access_tokens()})


async def get_faults(request: web.Request) -> web.Response:
    return reply(request.app[SANDBOX].faults.to_json())


async def put_faults(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    try:
        sandbox.faults.update(await body_json(request))
    except ConfigValueError as exc:
        raise bad_request(str(exc)) from None
    return reply(sandbox.faults.to_json())


async def get_driver(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    return reply({"rate": sandbox.driver.rate, "pending_steps": sandbox.engine.pending})


async def put_driver(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    rate = (await body_json(request)).get("rate")
    if isinstance(rate, bool) or not isinstance(rate, int | float) or rate < 0:
        raise bad_request("rate must be a number >= 0 (steps per second)")
    sandbox.driver.rate = float(rate)
    return reply({"rate": sandbox.driver.rate, "pending_steps": sandbox.engine.pending})


async def put_callback(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    url = (await body_json(request)).get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        raise bad_request("url must be an http(s) URL or null")
    sandbox.notifier.callback_url = url
    return reply({"url": url})


def _optional_int(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    return None if value is None else int_param(value, name)


async def get_requests(request: web.Request) -> web.Response:
    log = request.app[SANDBOX].log
    entries = log.query(
        request.query.get("path_prefix", ""),
        request.query.get("method"),
        _optional_int(request, "seller_id"),
        _optional_int(request, "status"),
    )
    return reply({"total": len(entries), "requests": [entry_json(e) for e in entries]})


async def delete_requests(request: web.Request) -> web.Response:
    request.app[SANDBOX].log.clear()
    return reply({"cleared": True})


async def get_notifications(request: web.Request) -> web.Response:
    notifier = request.app[SANDBOX].notifier
    state, topic = request.query.get("state"), request.query.get("topic")
    rows = [
        delivery_json(d)
        for d in notifier.deliveries
        if (state is None or d.state == state) and (topic is None or d.note.topic == topic)
    ]
    return reply({"callback_url": notifier.callback_url, "total": len(rows), "deliveries": rows})


async def get_history(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    seller_id = seller_param(sandbox, request.query.get("seller_id", ""))
    return reply({"seller_id": seller_id, "facts": [f.to_json() for f in sandbox.world.facts[seller_id]]})


FLAGS: Final = {"include_delivered": "true", "with_known_at": "false"}


async def get_expected_events(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    seller_id = seller_param(sandbox, request.query.get("seller_id", ""))
    flags = {name: request.query.get(name, default).lower() for name, default in FLAGS.items()}
    for name, flag in flags.items():
        if flag not in ("true", "false"):
            raise bad_request(f"{name} must be true or false")
    events = expected_events(
        sandbox.world.facts[seller_id],
        include_delivered=flags["include_delivered"] == "true",
        with_known_at=flags["with_known_at"] == "true",
    )
    return reply({"seller_id": seller_id, "events": events})


def add_control_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/_sandbox", get_summary)
    router.add_get("/_sandbox/sellers", get_sellers)
    router.add_post("/_sandbox/sellers", post_seller)
    router.add_post("/_sandbox/sellers/{id}/revoke", post_revoke)
    router.add_post("/_sandbox/sellers/{id}/tokens", post_tokens)
    router.add_post("/_sandbox/tokens/expire", post_expire)
    router.add_get("/_sandbox/faults", get_faults)
    router.add_put("/_sandbox/faults", put_faults)
    router.add_get("/_sandbox/driver", get_driver)
    router.add_put("/_sandbox/driver", put_driver)
    router.add_put("/_sandbox/callback", put_callback)
    router.add_get("/_sandbox/requests", get_requests)
    router.add_delete("/_sandbox/requests", delete_requests)
    router.add_get("/_sandbox/notifications", get_notifications)
    router.add_get("/_sandbox/history", get_history)
    router.add_get("/_sandbox/expected-events", get_expected_events)
    add_order_routes(router)
