"""The served OpenAPI document is valid OpenAPI 3.1 and lists exactly the routes the app registers."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from worker.context import app_context
from worker.settings import Settings
from worker.web.app import create_app


def registered(app: web.Application) -> set[tuple[str, str]]:
    """(method, path template) of every route; HEAD is aiohttp's automatic twin of a GET, so it must have one."""
    routes = {(route.method, route.resource.canonical) for route in app.router.routes() if route.resource}
    heads = {path for method, path in routes if method == "HEAD"}
    assert heads <= {path for method, path in routes if method == "GET"}
    return {(method, path) for method, path in routes if method != "HEAD"}


def documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


async def served(settings: Settings) -> tuple[set[tuple[str, str]], dict[str, Any]]:
    """The routes and the document, as served to a request with the internal token."""
    async with app_context(settings.model_copy(update={"internal_token": SecretStr("doc-token")})) as context:
        app = create_app(context)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            response = await client.get("/openapi.json", headers={"Authorization": "Bearer doc-token"})
            assert (response.status, response.content_type) == (200, "application/json")
            return registered(app), await response.json()


@pytest.mark.parametrize(
    ("redirect_uri", "callback"),
    [("http://127.0.0.1:8080/oauth/callback", "/oauth/callback"), ("https://shop.example/ml/return", "/ml/return")],
)
async def test_the_document_lists_exactly_the_registered_routes(
    settings: Settings, redirect_uri: str, callback: str
) -> None:
    routes, document = await served(settings.model_copy(update={"ml_redirect_uri": redirect_uri}))

    assert documented(document) == routes
    assert ("GET", callback) in routes


async def test_the_document_is_valid_openapi_3_1(settings: Settings) -> None:
    _, document = await served(settings)

    schemathesis.openapi.from_dict(document).validate()
    assert document["openapi"] == "3.1.0"


async def test_api_routes_need_a_bearer_key_and_document_401_and_503(settings: Settings) -> None:
    _, document = await served(settings)
    schemes = document["components"]["securitySchemes"]
    api = {(m, p): op for p, item in document["paths"].items() for m, op in item.items() if p.startswith("/api/")}

    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "description": "The business API key"}
    assert api and all(op["security"] == [{"bearerAuth": []}] for op in api.values())
    assert all({"401", "429", "503"} <= op["responses"].keys() for op in api.values())
    assert all("WWW-Authenticate" in op["responses"]["401"]["headers"] for op in api.values())


async def test_every_documented_status_has_a_body_or_headers(settings: Settings) -> None:
    _, document = await served(settings)
    responses = [
        (path, method, status, response)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
    ]

    assert [r[:3] for r in responses if not ({"content", "headers"} & r[3].keys())] == []
