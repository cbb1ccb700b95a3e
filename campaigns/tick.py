"""One planning cycle: settle stuck sends, requeue lost ones, claim what is due, hand it on.

`rq cron` runs it every 30 s and hands each batch to an RQ job; `flask --app wsgi tick --at`
runs it as of any moment and delivers each batch in-process: the operator's catch-up tool and
the way tests walk a subscriber through a sequence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from campaigns.alerts import sending_paused
from campaigns.clinic import get_profile, sender_for
from campaigns.confirmation import owed_confirmations
from campaigns.db import session_scope
from campaigns.delivery import deliver_batch
from campaigns.planner import BATCH_SIZE, claim_due_sends
from campaigns.providers import Provider
from campaigns.recovery import LostJobs, note_job, requeue_due, settle_stuck
from campaigns.settings import Settings
from campaigns.signup import leftover_attempts, take_attempt
from campaigns.tokens import Keys

OUTCOMES = ("claimed", "sent", "skipped", "failed", "unknown", "retrying", "rescheduled", "waiting")


def plan(
    sessions: sessionmaker[Session],
    now: datetime,
    hand_on: Callable[[list[int]], str | None],
    confirm: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    erasure_key: Keys | None = None,
    lost_jobs: LostJobs | None = None,
    fence: Callable[[Session], None] | None = None,
) -> int:
    """Run one planning cycle as of `now`, passing each batch of send ids to `hand_on`.

    `hand_on` may return the id of the job that carries the batch; `lost_jobs` tells which such
    jobs are gone, and `fence` refuses each transaction once this planner no longer leads.
    """
    handed = 0
    if confirm:
        take_leftover_attempts(sessions, now, erasure_key)
    with _fenced(sessions, fence) as session:
        settle_stuck(session, now)
        owed = owed_confirmations(session, now) if confirm else []
        if sending_paused(session):
            lost_jobs = None  # waiting sends stay queued on purpose until sending resumes
    for consent_id in owed:
        assert confirm is not None
        confirm(consent_id)
    while True:
        with _fenced(sessions, fence) as session:
            lost = requeue_due(session, now, batch_size, lost_jobs)
        if not lost:
            break
        _hand_on(sessions, hand_on, lost)
        handed += len(lost)
    last_id = 0
    while True:
        with _fenced(sessions, fence) as session:
            batch = claim_due_sends(session, now, after_id=last_id, limit=batch_size)
        if not batch.send_ids:
            return handed
        _hand_on(sessions, hand_on, batch.send_ids)
        handed += len(batch.send_ids)
        last_id = batch.last_enrollment_id


def take_leftover_attempts(
    sessions: sessionmaker[Session], now: datetime, erasure_key: Keys | None = None
) -> None:
    """Decide the signups whose job never ran; their confirmations are then owed like any other."""
    with session_scope(sessions) as session:
        leftover = leftover_attempts(session, now)
        profile = get_profile(session) if leftover else None
        zone = profile.timezone if profile else "UTC"
    for attempt_id in leftover:
        with session_scope(sessions) as session:
            take_attempt(session, attempt_id, erasure_key=erasure_key, fallback_zone=zone)


@contextmanager
def _fenced(sessions: sessionmaker[Session], fence: Callable[[Session], None] | None) -> Iterator[Session]:
    """Open a unit of work that first checks, when asked, that this planner still leads."""
    with session_scope(sessions) as session:
        if fence is not None:
            fence(session)
        yield session


def _hand_on(
    sessions: sessionmaker[Session], hand_on: Callable[[list[int]], str | None], ids: list[int]
) -> None:
    """Hand a batch on and record the job that carries it."""
    job_id = hand_on(ids)
    if job_id:
        with session_scope(sessions) as session:
            note_job(session, ids, job_id)


def run_tick(
    sessions: sessionmaker[Session], settings: Settings, provider: Provider, now: datetime
) -> Counter[str]:
    """Plan as of `now` and deliver every batch here; count the outcomes."""
    counts: Counter[str] = Counter({name: 0 for name in OUTCOMES})

    def deliver(send_ids: list[int]) -> None:
        counts["claimed"] += len(send_ids)
        with session_scope(sessions) as session:
            counts.update(deliver_batch(session, send_ids, sender_for(session, settings), provider, now))

    plan(sessions, now, deliver)
    return counts
