"""The language of the pages: English, Spanish or Portuguese (Brazil), chosen per request from the browser's
Accept-Language, with gettext catalogs (`locales/<locale>/LC_MESSAGES/messages.po`, compiled to `.mo`).

Python code marks texts with `t("...")` (translated now) or `N_("...")` (a constant, translated where it is
shown); templates mark them with `{{ ... }}`. `make catalogs` extracts every marked text into
`locales/messages.pot`, updates the `.po` files and compiles them. The language of a request lives in a context
variable that the web app's middleware sets, so page functions need no extra argument.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from functools import cache
from importlib.resources import files
from typing import IO, Any

from aiohttp import web
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES = ("en", "es", "pt_BR")
DEFAULT = "en"
HTML_LANG = {"en": "en", "es": "es", "pt_BR": "pt-BR"}
MARKED = re.compile(r"\{\{(.+?)\}\}", re.DOTALL)

_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT)


def N_(message: str) -> str:  # the gettext convention for "translate later"
    return message


@cache
def catalog(locale: str) -> NullTranslations:
    if locale == DEFAULT:
        return NullTranslations()
    folder = str(files("worker.connect").joinpath("locales"))
    return Translations.load(folder, [locale], domain="messages")


def current() -> str:
    return _locale.get()


def t(message: str) -> str:
    """The message in the request's language (the English text when no translation exists)."""
    return catalog(current()).gettext(message)


def number(value: int) -> str:
    return format_decimal(value, locale=current())


def html_lang() -> str:
    return HTML_LANG[current()]


def flat(text: str) -> str:
    """A template text as a catalog key: whitespace runs (line breaks included) become one space."""
    return " ".join(text.split())


def translate_marked(template: str) -> str:
    """The template with each `{{ text }}` replaced by the text in the request's language."""
    return MARKED.sub(lambda found: t(flat(found[1])), template)


def choose(accept_language: str | None) -> str:
    """The best of our locales for an Accept-Language header: by q-value, then order; `pt` means pt_BR."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-quality, position, tag.strip().lower()))
    for negative_quality, _, tag in sorted(ranked):
        language = tag.split("-")[0]
        if negative_quality < 0 and language in ("en", "es", "pt"):
            return "pt_BR" if language == "pt" else language
    return DEFAULT


def use(locale: str) -> None:
    _locale.set(locale if locale in LOCALES else DEFAULT)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


MACHINE_PATHS = ("/webhooks/",)


@web.middleware
async def language(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Pages answer in the browser's language; the answer says which, and that it depends on the header.
    Notifications from ML are no page: they pass straight through (the webhook is the busiest route)."""
    if request.path.startswith(MACHINE_PATHS):
        return await handler(request)
    locale = choose(request.headers.get("Accept-Language"))
    token = _locale.set(locale)
    try:
        response = await handler(request)
    finally:
        _locale.reset(token)
    if response.content_type == "text/html":
        response.headers["Content-Language"] = HTML_LANG[locale]
        response.headers.add("Vary", "Accept-Language")
    return response


def extract_templates(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for the `{{ text }}` marks of the page templates (see babel.cfg)."""
    source = fileobj.read().decode("utf-8")
    for found in MARKED.finditer(source):
        yield source.count("\n", 0, found.start()) + 1, "", flat(found[1]), []
