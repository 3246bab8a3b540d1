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


def catchup_lock(queue_name: str, account_id: int) -> str:
    """Held by the one catch-up re-sync working on a seller (worker/jobs/catchup.py)."""
    return scoped(queue_name, "lock", "catchup", account_id)


def backfill_lock(queue_name: str, account_id: int) -> str:
    """Held by the one backfill runner working on a seller (worker/backfill/lane.py)."""
    return scoped(queue_name, "backfill", account_id, "lock")


def bulk_slot(queue_name: str, number: int) -> str:
    """One of the `bulk_max_jobs` slots of bulk work (backfill and reconcile jobs)."""
    return scoped(queue_name, "bulk", "slot", number)


def refusals(queue_name: str, account_id: int) -> str:
    """Counts ML's refusals (404/403) of a seller's resources (worker/pipeline/guards.py)."""
    return scoped(queue_name, "refusals", account_id)


def suspect(queue_name: str, account_id: int) -> str:
    """Set while a seller's refusals are many: the seller may have moved (worker/pipeline/guards.py)."""
    return scoped(queue_name, "suspect", account_id)


def heartbeat(queue_name: str) -> str:
    """Written by a worker's cron every 30 s: some worker of this deployment is alive."""
    return scoped(queue_name, "worker", "heartbeat")


def tokens(queue_name: str) -> str:
    """Prefix of the token refresh locks and rescue copies."""
    return scoped(queue_name, "tokens")


def token_lock(queue_name: str, account_id: int) -> str:
    """Held while one process refreshes a seller's tokens (worker/tokens.py)."""
    return f"{tokens(queue_name)}:{account_id}:lock"


def token_rescue(queue_name: str, account_id: int) -> str:
    """A refreshed pair written before the database has it, so a crash in between does not lose it."""
    return f"{tokens(queue_name)}:{account_id}:rescue"


def web_limits(queue_name: str) -> str:
    """Prefix of the web process's request budgets (sign-in starts per link and address)."""
    return scoped(queue_name, "limits")


def api_failures(queue_name: str, address: str) -> str:
    """Counts an address's failed API key attempts in the current minute."""
    return scoped(queue_name, "limits", "api-failures", address)


def oauth_states(queue_name: str) -> str:
    """Prefix of the sign-ins started and not yet come back from ML (one key per OAuth `state`)."""
    return scoped(queue_name, "oauth-state")


def rate_limits(ml_client_id: str) -> str:
    """Prefix of the ML request budgets: per ML application, shared by its deployments (see the module doc)."""
    return f"meli:rl:{ml_client_id}"


def connect_confirmations(queue_name: str) -> str:
    """Prefix of sign-ins waiting for confirmation in another browser (tokens encrypted with the token cipher)."""
    return scoped(queue_name, "connect-confirm")


def token_rescues(queue_name: str) -> str:
    """Pattern of the token rescue copies (encrypted with the token cipher)."""
    return f"{tokens(queue_name)}:*:rescue"


# Job ids. arq refuses a job id while its job or result key exists, so an id says which requests collapse.
# arq keeps every job under `arq:job:<id>` whatever its queue, so ids must carry the queue name themselves.


def cron_job(queue_name: str, function: str) -> str:
    """A cron job's name. arq makes a unique cron's job id from its name and due time, so with arq's default
    name (`cron:<function>`) the first deployment to queue a tick would take it from every other one."""
    return scoped(queue_name, "cron", function)


def cron_jobs(queue_name: str) -> str:
    """The start of every cron job's name and id (to tell them from work in the queue)."""
    return scoped(queue_name, "cron", "")


def drain_job(queue_name: str, account_id: int, token: str) -> str:
    """A drain of a seller's notifications, unique per request (worker/pipeline/queue.py)."""
    return scoped(queue_name, "drain", account_id, token)


def refetch_job(queue_name: str, gap_id: int, attempt: int) -> str:
    """One refetch job per gap and attempt."""
    return scoped(queue_name, "refetch", gap_id, attempt)


def catchup_job(queue_name: str, account_id: int, slot: int) -> str:
    """One catch-up per seller and interval."""
    return scoped(queue_name, "catchup", account_id, slot)


def backfill_job(queue_name: str, account_id: int, run_id: int, slices: int) -> str:
    """Named after the backfill slice it will run (worker/backfill/service.py)."""
    return scoped(queue_name, "backfill", account_id, run_id, slices)


def reconcile_job(queue_name: str, account_id: int, tick: int) -> str:
    """One reconcile of a seller per scheduling minute (worker/jobs/reconcile.py)."""
    return scoped(queue_name, "reconcile", account_id, tick)


def hellotext_lane_job(queue_name: str, business_id: int) -> str:
    """One delivery lane job per business at a time (worker/jobs/delivery.py)."""
    return scoped(queue_name, "hellotext-lane", business_id)


def hellotext_lease(queue_name: str, business_id: int) -> str:
    """Held by the worker delivering a business's events."""
    return scoped(queue_name, "hellotext-lease", business_id)


def hellotext_lanes(queue_name: str) -> str:
    """The lanes delivering now (a sorted set bounded by `MELI_HELLOTEXT_MAX_LANES`)."""
    return scoped(queue_name, "hellotext-lanes")


def webhook_lane_job(queue_name: str, business_id: int) -> str:
    """One outbound webhook job per business at a time (worker/jobs/webhooks.py)."""
    return scoped(queue_name, "webhook-lane", business_id)


def webhook_lanes(queue_name: str) -> str:
    """The outbound webhook jobs sending now (a sorted set bounded by `MELI_HELLOTEXT_MAX_LANES`)."""
    return scoped(queue_name, "webhook-lanes")


def webhook_lease(queue_name: str, business_id: int) -> str:
    """Held by the worker sending a business's outbound webhooks."""
    return scoped(queue_name, "webhook-lease", business_id)
