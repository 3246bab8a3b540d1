"""The API viewer behind GET /docs: Swagger UI, served from the pinned `swagger-ui-py` package (no CDN, works
offline), reading `GET /docs/openapi.json`, the business API part of the OpenAPI document (`/openapi.json` itself
stays internal).

- `GET /docs/assets/{name}` the viewer's stylesheet and script, as the package ships them;
- `GET /docs/viewer.js` starts the viewer (the page's policy allows scripts from this origin only);
- `GET /docs/openapi.json` the `/api/` routes and the schemas they use.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from aiohttp import web

from worker.web.keys import OPTIONS
from worker.web.openapi import build_document
from worker.web.openapi_parts import Doc

ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript", "LICENSE": "text/plain"}
VIEWER_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
VIEWER_HEADERS = {
    "Content-Security-Policy": VIEWER_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
START = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/docs/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
  });
});
"""
HEAD = (
    '<link rel="icon" href="data:,"><link rel="stylesheet" href="/docs/assets/swagger-ui.css">'
    '<script src="/docs/assets/swagger-ui-bundle.js" defer></script><script src="/docs/viewer.js" defer></script>'
)
BODY = '<div id="swagger-ui"></div>'


def assets_dir() -> Path:
    """The static folder of the installed `swagger_ui` package, found without importing it."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed; pip install -c constraints.txt -e .")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def public_document(redirect_uri: str) -> Doc:
    document = build_document(redirect_uri)
    paths = {path: item for path, item in document["paths"].items() if path.startswith("/api/")}
    return {**document, "paths": paths}


def setup(app: web.Application) -> None:
    folder = assets_dir()
    document = json.dumps(public_document(app[OPTIONS].redirect_uri)).encode()
    headers = {**VIEWER_HEADERS, "Cache-Control": "public, max-age=3600"}

    async def asset(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        body = (folder / name).read_bytes()
        return web.Response(body=body, headers={**headers, "Content-Type": f"{ASSETS[name]}; charset=utf-8"})

    async def start(request: web.Request) -> web.Response:
        return web.Response(text=START, content_type="text/javascript", headers=headers)

    async def openapi(request: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/json", headers=headers)

    app.router.add_get("/docs/assets/{name}", asset)
    app.router.add_get("/docs/viewer.js", start)
    app.router.add_get("/docs/openapi.json", openapi)
