"""The account page's "Recent events" section: the latest events of the seller's orders, newest first."""

from __future__ import annotations

from html import escape

from worker.connect.i18n import t
from worker.connect.pages import Safe
from worker.store.events import EventView


def _item(event: EventView) -> str:
    when = event.tracked_at.strftime("%Y-%m-%d %H:%M UTC")
    order = t("order {reference}").format(reference=event.order_reference) if event.order_reference else ""
    words = " · ".join(part for part in (when, order) if part)
    return f'<li><code>{escape(event.action)}</code> <span class="muted">{escape(words)}</span></li>'


def events_section(events: list[EventView]) -> Safe:
    heading = escape(t("Recent events"))
    if not events:
        nothing = escape(t("No events from this seller's orders yet."))
        return Safe(f"<h2>{heading}</h2>\n<p>{nothing}</p>")
    items = "".join(_item(event) for event in events)
    return Safe(f'<h2>{heading}</h2>\n<ul class="events">{items}</ul>')
