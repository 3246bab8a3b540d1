"""The root of the project's one error taxonomy, and the errors of remote calls and of the data they return.

Every error we raise on purpose derives from `MeliError`; its message is one line meant for a person and never
contains a token or secret. The CLI prints it and exits 1; the web layer turns it into a clear response.
Errors of the worker's own parts (settings, database, Redis, records it looks up) live in worker/errors.py and
derive from the same `MeliError`.
"""


class MeliError(Exception):
    """An expected failure with a one-line, secret-free explanation."""


class InvalidRecord(MeliError, ValueError):
    """Data handed to the store or the mapping breaks a rule; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


# Errors of calls to a remote API, classified once in the HTTP client.
class RemoteError(MeliError):
    """A remote call failed."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientError(RemoteError):
    """5xx, timeouts, connection resets: retry with backoff."""


class RateLimited(TransientError):
    """429: retry after `retry_after` seconds when the server said so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class AuthError(RemoteError):
    """401/invalid_grant: the credentials are not (or no longer) valid."""


class RemoteNotFound(RemoteError):
    """404 from the remote API."""


class PermanentError(RemoteError):
    """Any other 4xx: retrying will not help."""
