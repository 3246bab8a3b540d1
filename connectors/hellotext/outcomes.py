"""What a Hellotext call's answer means for a delivery, decided once from the error taxonomy
(connectors/errors.py), following Hellotext's advice for integrations (troubleshoot-custom-integration.md):

- 200 with `received` (or a created record): delivered;
- 400, 403, 404, 422: a person must look (the review queue); the same request would fail the same way;
- 401: the token is missing, invalid or revoked: the business waits until its token is replaced;
- 429: try again after Retry-After;
- 5xx, timeouts, resets, an unreadable answer: uncertain; a write may have happened, reconcile before repeating.
"""

from __future__ import annotations

from enum import StrEnum

from connectors.errors import AuthError, PermanentError, RateLimited, RemoteError, RemoteNotFound, TransientError


class Outcome(StrEnum):
    DELIVERED = "delivered"
    REVIEW = "review"
    AUTH_FAILED = "auth_failed"
    RETRY_AFTER = "retry_after"
    UNCERTAIN = "uncertain"


OUTCOMES: dict[type[RemoteError], Outcome] = {
    RateLimited: Outcome.RETRY_AFTER,  # before TransientError, its parent
    TransientError: Outcome.UNCERTAIN,
    AuthError: Outcome.AUTH_FAILED,
    RemoteNotFound: Outcome.REVIEW,
    PermanentError: Outcome.REVIEW,
}


def outcome_of(error: RemoteError | None) -> Outcome:
    if error is None:
        return Outcome.DELIVERED
    for kind, outcome in OUTCOMES.items():
        if isinstance(error, kind):
            return outcome
    return Outcome.REVIEW  # an error we did not foresee: a person looks rather than a loop of retries
