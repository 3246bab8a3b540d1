"""The one error taxonomy of the project.

Every error we raise on purpose derives from `MeliError`; its message is one line meant for a person and never
contains a token or secret. The CLI prints it and exits 1; the web layer turns it into a clear response.
"""


class MeliError(Exception):
    """An expected failure with a one-line, secret-free explanation."""


class ConfigError(MeliError):
    """Settings are missing, inconsistent or unsafe for the environment."""


class Unavailable(MeliError):
    """A service we depend on (database, Redis) cannot be reached."""


class InvalidRecord(MeliError, ValueError):
    """Data handed to the store or the mapping breaks a rule; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class Conflict(MeliError):
    """The write would break a business uniqueness rule (e.g. one seller, one business)."""


class NotOwned(MeliError):
    """A document fetched with a seller's token is not that seller's (an order where it was the buyer, a
    shipment sent by someone else): it is skipped, never imported into the seller's business."""


class NotFoundError(MeliError):
    """A record we were asked for does not exist (or is not visible to the caller)."""


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
