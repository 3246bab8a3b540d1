"""A thin Mercado Libre API client: one method per endpoint on one shared aiohttp session.

The client owns the base URL, the Bearer header, timeouts, the error table (`connectors.http.classify`),
retries, and the shared rate limiter. It contains no mapping. Every path is built from numeric ids checked
here, so nothing a notification says can make it call another host or path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from connectors.errors import AuthError, PermanentError, TransientError
from connectors.http import RetryPolicy, classify, with_retries
from connectors.mercadolibre.payloads import load_json
from connectors.ratelimit import RateLimiter, Reservations

MP_API_BASE_URL = "https://api.mercadopago.com"


class TokenSource(Protocol):
    async def access_token(self, account_id: int) -> str: ...

    async def refresh_after_rejection(self, account_id: int, rejected: str) -> str: ...


@dataclass(frozen=True)
class Seller:
    """Whose token a call uses and whose budget it spends."""

    account_id: int
    seller_id: int


@dataclass(frozen=True)
class ClientLimits:
    app_rate: float = 100.0  # requests per second for the whole application, across processes
    seller_rate: float = 20.0  # requests per second per seller
    burst: int = 10
    timeout: float = 10.0
    # A lane of lower priority (bulk work): its own pace per seller, in its own bucket, and it takes a slot in
    # the shared buckets above only when they are idle (`burst` 1), so it never spends what live calls need.
    lane: str | None = None
    lane_seller_rate: float = 10.0


def _numeric(value: str | int, name: str) -> str:
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        raise PermanentError(f"{name} must be a numeric id, got {text[:40]!r}")
    return text


@dataclass(frozen=True)
class _Request:
    base: str
    path: str
    endpoint: str
    params: Mapping[str, str]
    headers: Mapping[str, str]


class MlClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        tokens: TokenSource,
        limiter: RateLimiter | None = None,
        limits: ClientLimits | None = None,
        policy: RetryPolicy | None = None,
        observe: Callable[[str, int], None] | None = None,
        payments_base_url: str = MP_API_BASE_URL,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._payments_base = payments_base_url.rstrip("/")
        self._tokens = tokens
        self._limiter = limiter
        self._reservations = Reservations(limiter) if limiter is not None else None
        self._limits = limits or ClientLimits()
        self._policy = policy or RetryPolicy()
        self._observe = observe or (lambda endpoint, status: None)
        self.calls = 0  # requests sent, retries included (for "API calls per order")

    async def _budget(self, seller: Seller) -> None:
        if self._limiter is not None and self._reservations is not None:
            if self._limits.lane is not None:
                await self._limiter.acquire(
                    f"{self._limits.lane}:seller:{seller.seller_id}", self._limits.lane_seller_rate
                )
            shared = [("app", self._limits.app_rate), (f"seller:{seller.seller_id}", self._limits.seller_rate)]
            await self._reservations.acquire_all(shared, self._limits.burst)  # both or neither, several at once

    async def _send(self, seller: Seller, request: _Request) -> Any:
        path, endpoint = request.path, request.endpoint
        token = await self._tokens.access_token(seller.account_id)
        for refreshed in (False, True):
            await self._budget(seller)
            self.calls += 1
            auth = {"Authorization": f"Bearer {token}", "Accept": "application/json", **request.headers}
            try:
                async with self._http.get(f"{request.base}{path}", params=request.params, headers=auth) as response:
                    body = await response.read()
                    error = classify(response.status, f"GET {path}", response.headers.get("Retry-After"))
            except (aiohttp.ClientError, TimeoutError) as exc:
                self._observe(endpoint, 0)
                raise TransientError(f"GET {path}: {type(exc).__name__}") from None
            self._observe(endpoint, response.status)
            if isinstance(error, AuthError) and not refreshed:
                token = await self._tokens.refresh_after_rejection(seller.account_id, token)
                continue
            if error is not None:
                raise error
            return load_json(body)
        raise AssertionError("unreachable")

    async def get(
        self,
        seller: Seller,
        path: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        endpoint: str | None = None,
    ) -> Any:
        """GET a path of the ML API; `endpoint` is its template for metrics (e.g. /orders/{id})."""
        request = _Request(self._base, path, endpoint or path, params or {}, headers or {})
        return await with_retries(lambda: self._send(seller, request), self._policy)

    async def order(self, seller: Seller, order_id: str) -> Any:
        return await self.get(seller, f"/orders/{_numeric(order_id, 'order id')}", endpoint="/orders/{id}")

    async def marketplace_order(self, seller: Seller, order_id: str) -> Any:
        """A Global Selling order, where ML's Global Selling pages read it."""
        path = f"/marketplace/orders/{_numeric(order_id, 'order id')}"
        return await self.get(seller, path, endpoint="/marketplace/orders/{id}")

    async def search_orders(self, seller: Seller, params: Mapping[str, str]) -> Any:
        return await self.get(seller, "/orders/search", {"seller": str(seller.seller_id), **params})

    async def shipment(self, seller: Seller, shipment_id: str) -> Any:
        path = f"/shipments/{_numeric(shipment_id, 'shipment id')}"
        return await self.get(seller, path, headers={"x-format-new": "true"}, endpoint="/shipments/{id}")

    async def shipment_history(self, seller: Seller, shipment_id: str) -> Any:
        path = f"/shipments/{_numeric(shipment_id, 'shipment id')}/history"
        return await self.get(seller, path, endpoint="/shipments/{id}/history")

    async def shipment_items(self, seller: Seller, shipment_id: str) -> Any:
        path = f"/shipments/{_numeric(shipment_id, 'shipment id')}/items"
        return await self.get(seller, path, endpoint="/shipments/{id}/items")

    async def payment(self, seller: Seller, payment_id: str) -> Any:
        """Mercado Pago's payment document, read with the seller's ML token: ML's payments pages send
        integrators there (the ML host's `/collections/{id}` belongs to the retired Collections API)."""
        path = f"/v1/payments/{_numeric(payment_id, 'payment id')}"
        request = _Request(self._payments_base, path, "/v1/payments/{id}", {}, {})
        return await with_retries(lambda: self._send(seller, request), self._policy)

    async def claim(self, seller: Seller, claim_id: str) -> Any:
        path = f"/post-purchase/v1/claims/{_numeric(claim_id, 'claim id')}"
        return await self.get(seller, path, endpoint="/post-purchase/v1/claims/{id}")

    async def claims_of_order(self, seller: Seller, order_id: str) -> Any:
        params = {"order_id": _numeric(order_id, "order id")}
        return await self.get(seller, "/post-purchase/v1/claims/search", params)

    async def missed_feeds(self, seller: Seller, app_id: str, offset: int = 0, limit: int = 50) -> Any:
        params = {"app_id": _numeric(app_id, "app id"), "offset": str(offset), "limit": str(limit)}
        return await self.get(seller, "/missed_feeds", params)
