"""The ingestion pipeline: notified resources → orders → fetch-and-map → store, and everything that decides how
and when (coalescing, job names and ids, the reaction to each error). Jobs, the backfill and the support tools
call it; it knows arq only through `queue.py`."""
