"""Server-rendered HTML for the authorization page: labelled inputs, real submit buttons, no script."""

from __future__ import annotations

from html import escape

from sandboxes.mercadolibre.sites import AUTH_HOSTS
from sandboxes.mercadolibre.world import World

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "header{background:#ffe600;padding:1rem;border-radius:.5rem}"
    "label{display:block;font-weight:600;margin:1rem 0 .25rem}"
    "input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box}"
    "button{font-size:1rem;padding:.6rem 1.4rem;margin:1rem .5rem 0 0;border-radius:.4rem;cursor:pointer}"
    "button[value=allow]{background:#3483fa;color:#fff;border:0}"
    "button[value=deny]{background:#fff;color:#3483fa;border:1px solid #3483fa}"
    ".error{color:#a00;font-weight:600}table{border-collapse:collapse;margin-top:1.5rem;width:100%}"
    "th,td{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;font-size:.9rem;overflow-wrap:anywhere}"
    ".scroll{overflow-x:auto}"
)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><header><strong>Mercado Libre sandbox</strong></header><main>{body}</main></body></html>"
    )


def error_page(message: str) -> str:
    body = (
        "<h1>The authorization request is not valid</h1>"
        f'<p class="error" role="alert">{escape(message)}</p>'
        "<p>Check the application's client_id and redirect_uri.</p>"
    )
    return _page("Authorization error - Mercado Libre sandbox", body)


def _default_login(world: World, host: str) -> str:
    site_id = AUTH_HOSTS.get(host)
    for seller_id in world.sellers:
        seller = world.users[seller_id]
        if site_id is None or seller.site_id == site_id:
            return seller.login or seller.nickname
    return ""


def _sellers_table(world: World) -> str:
    rows = "".join(
        f"<tr><td>{escape(u.login or '')}</td><td>{escape(u.nickname)}</td><td>{u.site_id}</td><td>{u.id}</td></tr>"
        for u in (world.users[sid] for sid in world.sellers)
    )
    return (
        '<div class="scroll"><table><caption>Test sellers</caption><thead><tr><th scope="col">Login</th>'
        '<th scope="col">Nickname</th><th scope="col">Site</th><th scope="col">User id</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def form_page(world: World, host: str, hidden: dict[str, str], login: str | None, error: str | None) -> str:
    value = login if login is not None else _default_login(world, host)
    options = "".join(
        f'<option value="{escape(world.users[sid].login or "")}">' for sid in world.sellers if world.users[sid].login
    )
    fields = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items())
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        "<h1>Authorize application</h1>"
        f"<p>The application <strong>{escape(hidden['client_id'])}</strong> wants to access your "
        "Mercado Libre account: read and manage your sales (offline_access read write).</p>"
        f'{alert}<form method="post" action="/{escape(host)}/authorization">{fields}'
        '<label for="login">Seller login</label>'
        f'<input id="login" name="login" type="text" list="sellers" autocomplete="username" required '
        f'aria-describedby="login-help" value="{escape(value)}">'
        '<p id="login-help">The login e-mail, nickname or user id of a test seller (listed below).</p>'
        f'<datalist id="sellers">{options}</datalist>'
        '<button type="submit" name="decision" value="allow">Allow</button>'
        '<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>'
        f"</form>{_sellers_table(world)}"
    )
    return _page("Authorize application - Mercado Libre sandbox", body)
