"""The pages speak English, Spanish and Portuguese (Brazil), chosen from Accept-Language, through gettext
catalogs that are complete, compiled from their sources, and extracted from every marked text."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.connect.conftest import Browser, Stack
from worker.connect.i18n import choose, is_localized
from worker.context import app_context
from worker.settings import Settings
from worker.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "worker" / "connect" / "locales"
NOT_PAGES = ("/api/", "/webhooks/", "/healthz", "/metrics", "/docs", "/openapi")  # machines' routes and Swagger UI
PLACEHOLDERS = re.compile(r"\$[a-z_]+|\{[a-z_]+\}|</?strong>")


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "en"),
        ("es-CO,es;q=0.9,en;q=0.8", "es"),
        ("pt-BR,pt;q=0.9", "pt_BR"),
        ("pt", "pt_BR"),
        ("fr-FR,fr;q=0.9,es;q=0.5", "es"),
        ("en;q=0.2, pt-BR;q=0.8", "pt_BR"),
        ("es;q=0, de", "en"),
        ("de-DE", "en"),
        ("es;q=abc", "en"),
    ],
)
def test_the_language_follows_accept_language(header: str | None, locale: str) -> None:
    assert choose(header) == locale


async def test_every_page_and_nothing_else_chooses_a_language(settings: Settings) -> None:
    """Pages choose their language in a wrapper of their own handler, not in a middleware that every route (the
    webhook first) would pay for: a page added without it would answer in English only."""
    async with app_context(settings) as context:
        app = create_app(context)
    routes = [
        (route.method, route.resource.canonical if route.resource else "", route.handler)
        for route in app.router.routes()
    ]
    pages = {(method, path) for method, path, _ in routes if not path.startswith(NOT_PAGES)}
    localized = {(method, path) for method, path, handler in routes if is_localized(handler)}
    assert localized == pages
    expected = {("GET", "/connect"), ("GET", "/")}
    assert {("POST", "/webhooks/mercadolibre"), *expected} & pages == expected


def marked_texts() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords={"t": None, "N_": None})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


@pytest.mark.parametrize("locale", ["es", "pt_BR"])
def test_every_marked_text_is_translated_and_compiled(locale: str) -> None:
    folder = LOCALES / locale / "LC_MESSAGES"
    source = read_po(io.BytesIO((folder / "messages.po").read_bytes()))
    compiled = read_mo(io.BytesIO((folder / "messages.mo").read_bytes()))
    translated = {str(m.id): str(m.string) for m in source if m.id}

    assert set(translated) == marked_texts()  # `make catalogs` is up to date with the code and templates
    assert [m.id for m in source if m.id and (not m.string or m.fuzzy)] == []
    assert {str(m.id): str(m.string) for m in compiled if m.id} == translated  # the .mo is compiled from this .po
    for english, text in translated.items():
        assert sorted(PLACEHOLDERS.findall(text)) == sorted(PLACEHOLDERS.findall(english)), (english, text)


@pytest.mark.parametrize(
    ("header", "lang", "heading"),
    [
        (None, "en", "Connect your Mercado Libre account to Tienda Uno"),
        ("es-CO,es;q=0.9", "es", "Conecta tu cuenta de Mercado Libre con Tienda Uno"),
        ("pt-BR", "pt-BR", "Conecte sua conta do Mercado Livre com Tienda Uno"),
    ],
)
async def test_the_connect_page_answers_in_the_browsers_language(
    stack: Stack, browser: Browser, header: str | None, lang: str, heading: str
) -> None:
    headers = {"Accept-Language": header} if header else {}

    page = await browser.get("/connect", params={"token": await stack.connect_token()}, headers=headers)
    missing = await browser.get("/accounts/1", headers=headers)

    assert page.status == 200 and f'<html lang="{lang}">' in page.text
    assert f"<h1>{heading}</h1>" in page.text and f"<title>{heading}</title>" in page.text
    assert page.headers["Content-Language"] == lang and "Accept-Language" in page.headers["Vary"]
    assert missing.status == 401 and f'<html lang="{lang}">' in missing.text
