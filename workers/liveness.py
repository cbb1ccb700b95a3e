"""Tell live delivery jobs from lost ones: a pulse of each running job, and RQ's job records.

A queued job is alive while RQ holds it queued, scheduled or deferred; a started one while its
pulse beats. A worker SIGKILLed mid-batch stops its pulse at once, and a Redis restarted empty
forgets every job: either way the planner hands the job's queued sends on again within
`recovery.ORPHAN_AFTER`, and the sends it had claimed, whose claims stop being renewed in the
database, become `unknown` after `recovery.SENDING_TIMEOUT`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from datetime import UTC, datetime
from types import TracebackType

from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session, sessionmaker

from campaigns.db import session_scope
from campaigns.recovery import CLAIM_RENEWAL, renew_claims

PULSE_TTL_S = 30
"""A running job's pulse lasts this long unless renewed (every `CLAIM_RENEWAL`)."""

WAITING = {
    JobStatus.QUEUED.value,
    JobStatus.SCHEDULED.value,
    JobStatus.DEFERRED.value,
    JobStatus.CREATED.value,
}

log = logging.getLogger("nurture.liveness")


def pulse_key(job_id: str) -> str:
    """Return the Redis key of a running job's pulse."""
    return f"nurture:pulse:{job_id}"


def lost_jobs(redis: Redis, job_ids: Collection[str]) -> set[str]:
    """Return the ids among `job_ids` whose job no queue holds and no live worker runs."""
    ids = list(job_ids)
    with redis.pipeline(transaction=False) as pipeline:
        for job_id in ids:
            pipeline.hget(Job.key_for(job_id), "status")
            pipeline.exists(pulse_key(job_id))
        replies = pipeline.execute()
    lost = set()
    for n, job_id in enumerate(ids):
        status, beating = replies[2 * n], replies[2 * n + 1]
        if beating or (status is not None and status.decode() in WAITING):
            continue
        lost.add(job_id)
    return lost


class Pulse:
    """While a delivery job runs, beat: its pulse in Redis, its sends' claims in the database."""

    def __init__(
        self, redis: Redis, job_id: str | None, sessions: sessionmaker[Session], send_ids: list[int]
    ):
        self.redis, self.job_id, self.sessions, self.send_ids = redis, job_id, sessions, send_ids
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pulse", daemon=True)

    def __enter__(self) -> Pulse:
        self._beat_redis()  # at once, so a started job is never taken for a lost one
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        if self.job_id:
            try:
                self.redis.delete(pulse_key(self.job_id))
            except Exception:  # Redis away: the pulse runs out by itself
                log.debug("could not remove the pulse", exc_info=True)

    def _run(self) -> None:
        while not self._stop.wait(CLAIM_RENEWAL.total_seconds()):
            self._beat_redis()
            try:
                with session_scope(self.sessions) as session:
                    renew_claims(session, self.send_ids, datetime.now(UTC))
            except Exception as exc:  # the database away: the batch's own writes will say so
                log.warning("could not renew the batch's claims: %s", str(exc).splitlines()[0])

    def _beat_redis(self) -> None:
        if not self.job_id:
            return
        try:
            self.redis.set(pulse_key(self.job_id), 1, ex=PULSE_TTL_S)
        except Exception as exc:  # Redis restarting: the next beat puts the pulse back
            log.warning("could not renew the job's pulse: %s", str(exc).splitlines()[0])
