"""The server-rendered pages of the connect flow. Plain HTML forms (no JavaScript), every value escaped.

Templates live in `templates/` and use `string.Template` placeholders; `render` escapes each value unless it
is a `Safe` fragment built here from escaped parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape
from importlib.resources import files
from string import Template

from connectors.mercadolibre.constants import SITES
from worker.connect.i18n import N_, current, html_lang, language_links, t, translate_marked
from worker.connect.messages import APP_NAME
from worker.store.activity import Activity
from worker.store.models import AccountStatus, Business, MlAccount

COUNTRY_NAMES = {
    "AR": "Argentina", "BR": "Brasil", "MX": "México", "CO": "Colombia", "UY": "Uruguay",
    "CL": "Chile", "PE": "Perú", "EC": "Ecuador", "VE": "Venezuela",
}  # fmt: skip
STATUS_LABELS = {
    AccountStatus.ACTIVE.value: N_("Active"),
    AccountStatus.NEEDS_REAUTH.value: N_("Needs reconnecting"),
    AccountStatus.DISCONNECTED.value: N_("Disconnected"),
}
NONE_YET = N_("none yet")


class Safe(str):
    """An HTML fragment that is already escaped."""


@cache
def _template(name: str, locale: str) -> Template:
    """The template with its `{{ text }}` marks in the locale's language (i18n.translate_marked)."""
    source = files("worker.connect").joinpath("templates", name).read_text(encoding="utf-8")
    return Template(translate_marked(source))


def render(name: str, **values: str) -> Safe:
    escaped = {key: value if isinstance(value, Safe) else escape(value) for key, value in values.items()}
    return Safe(_template(name, current()).substitute(escaped))


def page(title: str, body: Safe, refresh_seconds: int | None = None) -> str:
    """The whole document; `refresh_seconds`: the browser reloads it that often (a meta refresh, no script)."""
    head = Safe(f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">' if refresh_seconds else "")
    return render("layout.html", title=title, body=body, lang=html_lang(), head=head, languages=_languages())


def _languages() -> Safe:
    """Links to this page in our other languages (`?lang=`); the current one is plain text."""
    items = [
        f'<a lang="{tag}" hreflang="{tag}" href="{escape(link)}">{escape(name)}</a>'
        if link
        else f'<span lang="{tag}" aria-current="true">{escape(name)}</span>'
        for tag, name, link in language_links()
    ]
    return Safe(f'<nav class="langs">{" · ".join(items)}</nav>' if items else "")


def status_label(status: str) -> str:
    return t(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def site_label(site_id: str) -> str:
    site = SITES.get(site_id)
    return f"{COUNTRY_NAMES.get(site.country, site.country)} ({site_id})" if site else site_id


def default_site(business: Business, preselected: str | None) -> str:
    if preselected in SITES:
        return str(preselected)
    by_country = [site.site_id for site in SITES.values() if site.country == business.country]
    return by_country[0] if by_country else next(iter(SITES))


def connect_page(business: Business, token: str, selected: str, csrf: str) -> str:
    sites = sorted(SITES, key=site_label)
    options = "\n".join(
        f'    <option value="{escape(site_id)}"{" selected" if site_id == selected else ""}>'
        f"{escape(site_label(site_id))}</option>"
        for site_id in sites
    )
    body = render("connect.html", business=business.name, app=APP_NAME, token=token, options=Safe(options), csrf=csrf)
    return page(t("Connect your Mercado Libre account to {business}").format(business=business.name), body)


def confirm_page(business_name: str, seller: str, site_id: str, connect: Form, cancel: Form) -> str:
    body = render(
        "confirm.html", business=business_name, seller=seller, site=site_label(site_id), actions=_forms(connect, cancel)
    )
    return page(t("Connect {seller} to {business}?").format(seller=seller, business=business_name), body)


def owner_page(business_name: str, open_form: Form) -> str:
    body = render("owner.html", business=business_name, actions=_forms(open_form))
    return page(t("Manage the Mercado Libre accounts of {business}").format(business=business_name), body)


def accounts_page(business_name: str, accounts: list[MlAccount], owner: bool) -> str:
    items = "".join(
        f'<li><a href="/accounts/{account.id}">{escape(account.nickname)} ({escape(account.site_id)})</a>: '
        f"{escape(status_label(account.status))}</li>"
        for account in accounts
    )
    nothing = t("No Mercado Libre account to show.")
    listed = Safe(f"<ul>{items}</ul>" if accounts else f"<p>{escape(nothing)}</p>")
    note = (
        t("This browser can manage every account of the business until its session ends.")
        if owner
        else t("This browser sees the accounts it connected. To manage every account, ask for an owner link.")
    )
    body = render("accounts.html", business=business_name, accounts=listed, note=note)
    return page(t("Mercado Libre accounts of {business}").format(business=business_name), body)


@dataclass(frozen=True)
class Form:
    """A one-button POST form: the only kind of action these pages have."""

    action: str
    label: str
    fields: tuple[tuple[str, str], ...]
    secondary: bool = False
    method: str = "post"

    def html(self) -> Safe:
        hidden = "".join(
            f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in self.fields
        )
        css = ' class="secondary"' if self.secondary else ""
        return Safe(
            f'<form method="{escape(self.method)}" action="{escape(self.action)}">{hidden}'
            f'<button type="submit"{css}>{escape(t(self.label))}</button></form>'
        )


def problem_page(heading: str, message: str, action: Form | None = None) -> str:
    heading, message = t(heading), t(message)
    return page(heading, render("problem.html", heading=heading, message=message, action=_forms(action)))


def _forms(*forms: Form | None) -> Safe:
    return Safe("\n".join(form.html() for form in forms if form is not None))


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def _since(moment: datetime | None) -> str:
    return _when(moment) if moment else t(NONE_YET)


def account_heading(account: MlAccount) -> str:
    who = f"{account.nickname} ({account.site_id})"
    if account.status == AccountStatus.ACTIVE.value:
        return t("Connected as {seller}").format(seller=who)
    if account.status == AccountStatus.NEEDS_REAUTH.value:
        return t("{seller} needs to be reconnected").format(seller=who)
    return t("{seller} is disconnected").format(seller=who)


def account_summary(account: MlAccount, business_name: str) -> str:
    if account.status == AccountStatus.ACTIVE.value:
        return t("{business} now receives this seller's orders, shipments, payments and claims.").format(
            business=business_name
        )
    if account.status == AccountStatus.NEEDS_REAUTH.value:
        return t(
            "Mercado Libre no longer accepts this connection (for example the password changed or the app was "
            "removed). Nothing is processed until you reconnect; recorded events stay."
        )
    return t("Nothing from this seller is processed. Recorded events stay; reconnect to start again.")


def account_page(
    account: MlAccount,
    business_name: str,
    reconnect: Form | None,
    disconnect: Form | None,
    activity: Activity | None = None,
    past_orders: Safe | None = None,
    recent: Safe | None = None,
    refresh_seconds: int | None = None,
) -> str:
    heading = account_heading(account)
    note = t("Disconnecting stops new updates from this seller; events already recorded stay.")
    body = render(
        "account.html",
        heading=heading,
        summary=account_summary(account, business_name),
        note=Safe(f'<p class="note">{escape(note)}</p>') if disconnect else Safe(""),
        status=account.status,
        status_label=status_label(account.status),
        nickname=account.nickname,
        seller_id=str(account.seller_id),
        site=site_label(account.site_id),
        connected_at=_when(account.first_connected_at or account.connected_at),
        last_notification=_since(activity.last_notification_at if activity else None),
        last_event=_since(activity.last_event_at if activity else None),
        actions=_forms(reconnect, disconnect),
        past_orders=past_orders or Safe(""),
        recent=recent or Safe(""),
    )
    return page(heading, body, refresh_seconds)


def disconnect_page(account: MlAccount, business_name: str, confirm: Form, keep: Form) -> str:
    seller = f"{account.nickname} ({account.site_id})"
    body = render("disconnect.html", seller=seller, business=business_name, app=APP_NAME, actions=_forms(confirm, keep))
    return page(t("Disconnect {seller}?").format(seller=seller), body)


def landing_page() -> str:
    return page("meli-events", render("landing.html"))
