"""The language also follows the seller's Mercado Libre site when the browser names none of ours (MLB →
Portuguese, other sites → Spanish), and every page links to itself in the other languages (`?lang=`, kept in a
cookie for the next pages)."""

from __future__ import annotations

import re

import pytest

from tests.connect.conftest import Browser, Stack, fetch, open_browser


def lang_of(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', html)
    assert found, html
    return found.group(1)


@pytest.mark.parametrize(
    ("site", "accept", "expected"),
    [
        ("MLB", None, "pt-BR"),
        ("MCO", None, "es"),
        ("MLA", "de-DE,fr;q=0.8", "es"),
        ("MLB", "de-DE", "pt-BR"),
        ("MLB", "en-US,en;q=0.9", "en"),  # the browser's own choice wins over the site
        ("MCO", "pt-BR", "pt-BR"),
    ],
)
async def test_the_connect_page_speaks_the_sites_language_unless_the_browser_names_one_of_ours(
    stack: Stack, site: str, accept: str | None, expected: str
) -> None:
    token = await stack.connect_token(site=site)
    headers = {"Accept-Language": accept} if accept else {}

    page = await fetch(stack.sandbox.http, "GET", f"{stack.base}/connect?token={token}", headers=headers)

    assert page.status == 200
    assert lang_of(page.text) == expected and page.headers["Content-Language"] == expected


async def test_a_language_link_switches_and_the_choice_is_kept(stack: Stack) -> None:
    token = await stack.connect_token(site="MLB")
    url = f"{stack.base}/connect?token={token}"

    shown = await fetch(stack.sandbox.http, "GET", url)
    switched = await fetch(stack.sandbox.http, "GET", url + "&lang=es")
    cookie = next(c for c in switched.headers.getall("Set-Cookie") if c.startswith("meli_lang="))
    later = await fetch(stack.sandbox.http, "GET", url, headers={"Cookie": "meli_lang=es"})

    nav = re.search(r'<nav class="langs">(.*?)</nav>', shown.text)
    assert nav is not None
    assert nav.group(1) == (
        f'<a lang="en" hreflang="en" href="?token={token}&amp;lang=en">English</a> · '
        f'<a lang="es" hreflang="es" href="?token={token}&amp;lang=es">Español</a> · '
        '<span lang="pt-BR" aria-current="true">Português (Brasil)</span>'
    )
    assert lang_of(switched.text) == "es" and "Conectar Mercado Libre" in switched.text
    assert cookie.startswith("meli_lang=es;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert lang_of(later.text) == "es"
    assert switched.headers["Content-Security-Policy"] == shown.headers["Content-Security-Policy"]


async def test_pages_answering_a_form_have_no_language_links(stack: Stack) -> None:
    problem = await fetch(stack.sandbox.http, "POST", f"{stack.base}/connect/start", data={"token": "x"})
    landing = await fetch(stack.sandbox.http, "GET", f"{stack.base}/?lang=pt-BR")

    assert 'class="langs"' not in problem.text
    assert lang_of(landing.text) == "pt-BR" and '<a lang="en" hreflang="en" href="?lang=en">' in landing.text


async def test_the_sign_in_confirmation_speaks_the_signed_in_sellers_language(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MLB"]
    callback = await browser.at_ml(await browser.start(await stack.connect_token(site="MLB"), "MLB"), seller["login"])

    async with open_browser(stack) as other:
        asked = await other.back(callback, headers={"Accept-Language": "de-DE"})

    assert asked.status == 200 and lang_of(asked.text) == "pt-BR"
    assert f"<h1>Conectar {seller['nickname']} com Tienda Uno?</h1>" in asked.text
