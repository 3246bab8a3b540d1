"""Every Redis key and job id of a deployment, derived from its queue name (`MELI_QUEUE_NAME`).

Two deployments sharing one Redis keep apart as long as their queue names differ: their locks, heartbeats,
token rescue copies and job ids never meet. The one exception is the ML request budget, keyed by the ML
application id on purpose (ML counts requests per application, whichever deployment sends them).
"""

from __future__ import annotations


def scoped(queue_name: str, *parts: object) -> str:
    """A key of this deployment: the queue name, then the parts, separated by colons."""
    return ":".join((queue_name, *(str(part) for part in parts)))


def drain_flag(queue_name: str, account_id: int) -> str:
    """Set while a drain of the seller's notifications is asked for and not started (worker/pipeline/queue.py)."""
    return scoped(queue_name, "drain", "asked", account_id)


def drain_news(queue_name: str, account_id: int) -> str:
    """Set by every request for a seller's drain: rows were recorded since its drain last looked."""
    return scoped(queue_name, "drain", "news", account_id)


def drain_lock(queue_name: str, account_id: int) -> str:
    """Held by the one drain working on a seller's notifications."""
    return scoped(queue_name, "lock", "drain", account_id)


def heartbeat(queue_name: str) -> str:
    """Written by a worker's cron every 30 s: some worker of this deployment is alive."""
    return scoped(queue_name, "worker", "heartbeat")


def tokens(queue_name: str) -> str:
    """Prefix of the token refresh locks and rescue copies."""
    return scoped(queue_name, "tokens")


def rate_limits(ml_client_id: str) -> str:
    """Prefix of the ML request budgets: per ML application, shared by its deployments (see the module doc)."""
    return f"meli:rl:{ml_client_id}"


def connect_confirmations(queue_name: str) -> str:
    """Prefix of sign-ins waiting for confirmation in another browser (tokens encrypted with the token cipher)."""
    return scoped(queue_name, "connect-confirm")


def token_rescues(queue_name: str) -> str:
    """Pattern of the token rescue copies (encrypted with the token cipher)."""
    return f"{tokens(queue_name)}:*:rescue"
