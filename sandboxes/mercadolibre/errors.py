"""ML-style errors: every failure is `{"message", "error", "status", "cause": []}`, never a traceback.

Handlers raise `MLError`; the middleware turns it into the response. Token endpoint errors (`OAuthError`) also carry
`error_description` as docs/mercadolibre-api.md §1 shows. The 401 body mirrors what ML was observed to send for a dead
token (`{"message": "invalid_token", "error": "not_found", "status": 401}`; mercadolibre/api#69,
iphousehq/mercadolibre-net-sdk#6).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web


class MLError(Exception):
    def __init__(self, status: int, error: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message
        self.headers = dict(headers or {})

    def body(self) -> dict[str, object]:
        return {"message": self.message, "error": self.error, "status": self.status, "cause": []}

    def response(self) -> web.Response:
        return web.Response(
            status=self.status,
            body=json.dumps(self.body()).encode(),
            content_type="application/json",
            headers=self.headers,
        )


class OAuthError(MLError):
    def body(self) -> dict[str, object]:
        return {
            "message": self.message,
            "error_description": self.message,
            "error": self.error,
            "status": self.status,
            "cause": [],
        }


def bad_request(message: str) -> MLError:
    return MLError(400, "bad_request", message)


def not_found(message: str) -> MLError:
    return MLError(404, "not_found", message)


def forbidden(message: str = "caller is not allowed to access this resource") -> MLError:
    return MLError(403, "forbidden", message)


def invalid_token() -> MLError:
    return MLError(401, "not_found", "invalid_token")


def missing_token() -> MLError:
    return MLError(401, "unauthorized", "authorization value not present")


def too_many_requests(retry_after: int, oauth: bool = False) -> MLError:
    headers = {"Retry-After": str(retry_after)}
    if oauth:
        return OAuthError(429, "local_rate_limited", "too many requests, retry later", headers)
    return MLError(429, "too_many_requests", "Too Many Requests", headers)


def int_param(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"invalid {name}: {value!r}") from None
