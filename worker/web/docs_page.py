"""GET /docs: the business API as a page, drawn from the same OpenAPI document `/openapi.json` serves (only the
`/api/` routes; the rest of the document stays internal): a curl line to start from, then the Swagger UI viewer
(`docs_viewer`), and without JavaScript a plain list of the routes."""

from __future__ import annotations

from html import escape
from typing import Any

from aiohttp import web

from worker.web.docs_viewer import BODY, HEAD, VIEWER_HEADERS
from worker.web.keys import OPTIONS
from worker.web.openapi import api_paths

STYLE = """
  body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1f; }
  main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  pre, code { font: .875rem/1.4 ui-monospace, Menlo, Consolas, monospace; }
  pre { background: #f3f3f6; padding: .75rem; border-radius: .5rem; overflow-x: auto; }
  section { border-top: 1px solid #d5d5dc; padding-top: .5rem; margin-top: 1.5rem; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0; display: block; overflow-x: auto; }
  th, td { text-align: left; padding: .25rem .5rem; vertical-align: top; border-bottom: 1px solid #e5e5ea; }
  .method { font-weight: 700; color: #2d3277; }
"""


def curl_line(base_url: str) -> str:
    return f'curl -H "Authorization: Bearer $MELI_API_KEY" "{base_url.rstrip("/")}/api/v1/events?limit=10"'


def _schema_text(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    kind = schema.get("format") or schema.get("type") or "value"
    bounds = [f"{word} {schema[key]}" for key, word in (("minimum", "from"), ("maximum", "to")) if key in schema]
    return " ".join([str(kind), *bounds])


def _parameters(operation: dict[str, Any]) -> str:
    rows = [
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
        f"<td>{escape(_schema_text(p['schema']))}</td><td>{escape(p['schema'].get('description', ''))}</td></tr>"
        for p in operation.get("parameters", [])
    ]
    head = "<tr><th>parameter</th><th>in</th><th>value</th><th>meaning</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>" if rows else ""


def _responses(operation: dict[str, Any]) -> str:
    items = "".join(
        f"<li><code>{escape(status)}</code> {escape(answer['description'])}</li>"
        for status, answer in operation["responses"].items()
    )
    return f"<ul>{items}</ul>"


def _operations() -> str:
    sections = []
    for path, item in api_paths().items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            sections.append(
                f'<section><h2><span class="method">{method.upper()}</span> <code>{escape(path)}</code></h2>'
                f"<p>{escape(operation['summary'])}</p>{_parameters(operation)}{_responses(operation)}</section>"
            )
    return "\n".join(sections)


def docs_document(base_url: str) -> str:
    intro = (
        "<h1>meli-events business API</h1>"
        "<p>Every request carries the business's API key (printed once by <code>meli business create</code> or "
        "<code>meli business rotate-key</code>) as <code>Authorization: Bearer &lt;key&gt;</code>. "
        "Times are RFC 3339 in UTC with milliseconds (<code>2026-03-01T10:00:00.000Z</code>); "
        "amounts are exact decimals in strings.</p>"
        f"<pre>{escape(curl_line(base_url))}</pre>"
        "<p>Follow the stream: keep asking with <code>after</code> = the answer's <code>next_after</code>; "
        "<code>has_more</code> false means you have everything stored so far.</p>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>meli-events business API</title><style>{STYLE}</style>{HEAD}</head>"
        f"<body><main>{intro}</main>{BODY}<noscript><main>{_operations()}</main></noscript></body></html>"
    )


def setup(app: web.Application) -> None:
    document = docs_document(app[OPTIONS].public_base_url)

    async def docs(request: web.Request) -> web.Response:
        headers = {**VIEWER_HEADERS, "Cache-Control": "no-store"}
        return web.Response(text=document, content_type="text/html", headers=headers)

    app.router.add_get("/docs", docs)
