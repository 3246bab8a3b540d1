"""A thin Hellotext client: one async method per endpoint, on a shared aiohttp session; it owns the base URL,
the bearer token, the timeout and the error table (connectors/http.py `classify`), and contains no mapping.

Every failure is raised as our taxonomy (connectors/errors.py); a network error or timeout is a
`TransientError` (its outcome is uncertain for a write). Error messages carry Hellotext's own explanation,
shortened, and never the token."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import aiohttp

from connectors.errors import RemoteError, TransientError
from connectors.http import classify

DEFAULT_BASE_URL = "https://api.hellotext.com"
TAGS = re.compile(r"<[^>]+>|\s+")
DETAIL_LIMIT = 300


class HellotextClient:
    def __init__(self, http: aiohttp.ClientSession, token: str, *, base_url: str = DEFAULT_BASE_URL,
                 timeout: float = 10.0) -> None:  # fmt: skip
        self._http = http
        self._token = token
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def check_token(self) -> None:
        """The read Hellotext suggests to prove a token: 200 (maybe an empty list), 401 when it is not valid."""
        await self._call("GET", "/v1/profiles", "check token", params={"limit": "1"})

    async def create_property(self, body: dict[str, Any]) -> str:
        return _id(await self._call("POST", "/v1/properties", "create property", body))

    async def list_properties(self) -> list[dict[str, Any]]:
        return _list(await self._call("GET", "/v1/properties", "list properties"))

    async def create_profile(self, body: dict[str, Any]) -> str:
        return _id(await self._call("POST", "/v1/profiles", "create profile", body))

    async def list_profiles(self, *, limit: int = 100, starting_after: str | None = None) -> list[dict[str, Any]]:
        params = {"limit": str(limit), **({"starting_after": starting_after} if starting_after else {})}
        return _list(await self._call("GET", "/v1/profiles", "list profiles", params=params))

    async def create_product(self, body: dict[str, Any]) -> str:
        return _id(await self._call("POST", "/v1/attribution/products", "create product", body))

    async def find_products(self, reference: str, source: str) -> list[dict[str, Any]]:
        params = {"reference": reference, "source": source}
        return _list(await self._call("GET", "/v1/attribution/products", "find product", params=params))

    async def create_order(self, body: dict[str, Any]) -> str:
        return _id(await self._call("POST", "/v1/attribution/orders", "create order", body))

    async def get_order(self, order_id: str) -> dict[str, Any]:
        """One order by its Hellotext id; RemoteNotFound when this token's business has no such order."""
        answer = await self._call("GET", f"/v1/attribution/orders/{quote(order_id, safe='')}", "read order")
        return answer if isinstance(answer, dict) else {}

    async def find_orders(self, reference: str, source: str) -> list[dict[str, Any]]:
        params = {"reference": reference, "source": source}
        return _list(await self._call("GET", "/v1/attribution/orders", "find order", params=params))

    async def track(self, body: dict[str, Any]) -> None:
        """Track an event; only `{"status": "received"}` counts as accepted."""
        answer = await self._call("POST", "/v1/attribution/events", "track event", body)
        if not isinstance(answer, dict) or answer.get("status") != "received":
            raise TransientError("track event: answer without status received", 200)

    async def _call(self, method: str, path: str, what: str, body: dict[str, Any] | None = None,
                    params: dict[str, str] | None = None) -> Any:  # fmt: skip
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        try:
            async with self._http.request(method, self._base + path, json=body, params=params, headers=headers,
                                          timeout=self._timeout) as response:  # fmt: skip
                text = await response.text()
                error = classify(response.status, what, response.headers.get("Retry-After"))
        except TimeoutError:
            raise TransientError(f"{what}: no answer in time") from None
        except aiohttp.ClientError as exc:
            raise TransientError(f"{what}: connection failed ({type(exc).__name__})") from None
        if error is not None:
            raise _explained(error, self._detail(text))
        try:
            return json.loads(text)
        except ValueError:
            raise TransientError(f"{what}: unreadable answer", response.status) from None

    def _detail(self, text: str) -> str:
        return detail(text).replace(self._token, "***") if self._token else detail(text)


def detail(text: str) -> str:
    """Hellotext's explanation of a refusal (`error` or `errors`: type, message, parameter), or the start of a
    body that is not JSON (a proxy's HTML) without its tags; short enough for a review queue."""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict) and (errors := body.get("errors") or body.get("error")):
        items = errors if isinstance(errors, list) else [errors]
        parts = [_one(item) for item in items]
        return "; ".join(parts)[:DETAIL_LIMIT]
    return TAGS.sub(" ", text).strip()[:DETAIL_LIMIT]


def _one(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    named = f" ({item['parameter']})" if item.get("parameter") else ""
    return f"{item.get('type', 'error')}: {item.get('message', '')}{named}"


def _explained(error: RemoteError, explanation: str) -> RemoteError:
    if explanation:
        error.args = (f"{error.args[0]}: {explanation}",)
    return error


def _id(answer: Any) -> str:
    if not isinstance(answer, dict) or not isinstance(answer.get("id"), str | int):
        raise TransientError("answer without an id")
    return str(answer["id"])


def _list(answer: Any) -> list[dict[str, Any]]:
    if isinstance(answer, dict) and isinstance(answer.get("data"), list):
        answer = answer["data"]
    if not isinstance(answer, list):
        raise TransientError("answer is not a list")
    return [item for item in answer if isinstance(item, dict)]
