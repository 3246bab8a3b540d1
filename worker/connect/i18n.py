"""The language of the pages: English, Spanish or Portuguese (Brazil), with gettext catalogs
(`locales/<locale>/LC_MESSAGES/messages.po`, compiled to `.mo`). Chosen per request, first match wins: the
`?lang=` of a language link (remembered in the `meli_lang` cookie), that cookie, the browser's Accept-Language
when it names one of ours, the seller's Mercado Libre site when the page knows it (`prefer_site`: MLB →
Portuguese, every other ML site → Spanish), else English.

Python code marks texts with `t("...")` (translated now) or `N_("...")` (a constant, translated where it is
shown); templates mark them with `{{ ... }}`. `make catalogs` extracts every marked text into
`locales/messages.pot`, updates the `.po` files and compiles them. The language of a request lives in a context
variable that `localized`, wrapped around every page's handler, sets, so page functions need no extra
argument. (A wrapper, not a middleware: an aiohttp middleware runs for every route, the webhook included, and
costs it about a tenth of its throughput: benchmarks/RESULTS.md.)
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from functools import cache, wraps
from importlib.resources import files
from typing import IO, Any

from aiohttp import web
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from yarl import URL

from connectors.mercadolibre.constants import SITES

LOCALES = ("en", "es", "pt_BR")
DEFAULT = "en"
HTML_LANG = {"en": "en", "es": "es", "pt_BR": "pt-BR"}
NAMES = {"en": "English", "es": "Español", "pt_BR": "Português (Brasil)"}  # each in its own language
MARKED = re.compile(r"\{\{(.+?)\}\}", re.DOTALL)
LANG_PARAM, LANG_COOKIE = "lang", "meli_lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600

_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT)
_chosen: ContextVar[bool] = ContextVar("chosen", default=False)  # the visitor or the browser chose the language
_here: ContextVar[URL | None] = ContextVar("here", default=None)  # the page the language links point to


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
    """The best of our locales for an Accept-Language header (English when it names none of them)."""
    return accepted(accept_language) or DEFAULT


def locale_of(tag: str | None) -> str | None:
    """Our locale for a language tag (`pt`, `pt-BR`, `es-CO`, `en`...), or None."""
    language = (tag or "").strip().lower().replace("_", "-").split("-")[0]
    return {"en": "en", "es": "es", "pt": "pt_BR"}.get(language)


def site_locale(site_id: str) -> str:
    """The language sellers of a Mercado Libre site read: Portuguese on MLB (Brazil), Spanish elsewhere."""
    if site_id == "MLB":
        return "pt_BR"
    return "es" if site_id in SITES else DEFAULT


def prefer_site(site_id: str) -> None:
    """Speak the seller's site's language, unless the visitor or the browser chose one of ours."""
    if not _chosen.get():
        _locale.set(site_locale(site_id))


def language_links() -> list[tuple[str, str, str | None]]:
    """(html lang, name, link) of each language for this page; no link for the current one. Empty where a
    link cannot reload the page (a form's answer, the sign-in callback). Links are relative (`?...&lang=`): a
    page names no more of its address than its query already holds."""
    here = _here.get()
    if here is None:
        return []
    return [
        (
            HTML_LANG[locale],
            NAMES[locale],
            None if locale == current() else "?" + here.update_query(lang=HTML_LANG[locale]).raw_query_string,
        )
        for locale in LOCALES
    ]


def accepted(accept_language: str | None) -> str | None:
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
        locale = locale_of(tag)
        if negative_quality < 0 and locale is not None:
            return locale
    return None


def use(locale: str) -> None:
    _locale.set(locale if locale in LOCALES else DEFAULT)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _linkable(request: web.Request) -> URL | None:
    """The page a language link reloads: a GET page other than the sign-in callback (its code works once)."""
    if request.method != "GET" or request.path.startswith("/oauth/"):
        return None
    return request.rel_url


_LOCALIZED: set[Handler] = set()


def localized(handler: Handler) -> Handler:
    """A page answers in the chosen language (see the module's docstring); the answer says which, and what it
    depends on. A language link's choice is kept in a cookie for the next pages."""

    @wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        asked = locale_of(request.query.get(LANG_PARAM))
        cookie = locale_of(request.cookies.get(LANG_COOKIE))
        locale = asked or cookie or accepted(request.headers.get("Accept-Language"))
        tokens = (_locale.set(locale or DEFAULT), _chosen.set(locale is not None), _here.set(_linkable(request)))
        try:
            response = await handler(request)
            shown = current()
        finally:
            _here.reset(tokens[2])
            _chosen.reset(tokens[1])
            _locale.reset(tokens[0])
        if response.content_type == "text/html":
            response.headers["Content-Language"] = HTML_LANG[shown]
            response.headers.add("Vary", "Accept-Language, Cookie")
        if asked is not None:
            response.set_cookie(LANG_COOKIE, HTML_LANG[asked], max_age=LANG_COOKIE_SECONDS, path="/", httponly=True,
                                samesite="Lax", secure=request.secure)  # fmt: skip
        return response

    _LOCALIZED.add(wrapped)
    return wrapped


def is_localized(handler: object) -> bool:
    """Whether this route handler is a page wrapped by `localized` (tests/connect/test_languages.py)."""
    return handler in _LOCALIZED


def extract_templates(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for the `{{ text }}` marks of the page templates (see babel.cfg)."""
    source = fileobj.read().decode("utf-8")
    for found in MARKED.finditer(source):
        yield source.count("\n", 0, found.start()) + 1, "", flat(found[1]), []
