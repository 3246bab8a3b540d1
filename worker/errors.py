"""Errors of the worker's own parts: settings, the database and Redis, and records it looks up or writes.

They derive from `MeliError` (connectors/errors.py), the root of the one taxonomy, so the CLI and the web layer
treat them like every other expected failure; the reaction table in worker/pipeline/reactions.py reads them too.
"""

from __future__ import annotations

from connectors.errors import MeliError


class ConfigError(MeliError):
    """Settings are missing, inconsistent or unsafe for the environment."""


class Unavailable(MeliError):
    """A service we depend on (database, Redis) cannot be reached."""


class Conflict(MeliError):
    """The write would break a business uniqueness rule (e.g. one seller, one business)."""


class NotOwned(MeliError):
    """A document fetched with a seller's token is not that seller's (an order where it was the buyer, a
    shipment sent by someone else): it is skipped, never imported into the seller's business."""


class NotFoundError(MeliError):
    """A record we were asked for does not exist (or is not visible to the caller)."""
