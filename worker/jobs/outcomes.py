"""What a job reports when it ends without an error (arq keeps it as the job's result; logs and tests read it).

A `StrEnum`, so a result compares equal to its plain text and is stored as that text.
"""

from __future__ import annotations

from enum import StrEnum


class JobOutcome(StrEnum):
    DONE = "done"  # worked to the end
    BUSY = "busy"  # another job holds the seller's lock; that one queues a follow-up for rows arriving meanwhile
    JOINED = "joined"  # another runner works on the seller's backfill; this job leaves it the work
    SUPERSEDED = "superseded"  # a job that ran meanwhile took this backfill slice and queued the next one
    PARKED = "parked"  # the seller must reconnect; the work resumes after that
    FAILED = "failed"  # gave up on this work; the log says why
    SKIPPED = "skipped"  # the seller is not active
