"""One planning cycle: settle stuck sends, requeue lost ones, claim what is due, hand it on.

`rq cron` runs it every 30 s and hands each batch to an RQ job; `flask --app wsgi tick --at`
runs it as of any moment and delivers each batch in-process: the operator's catch-up tool and
the way tests walk a subscriber through a sequence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from campaigns.clinic import sender_for
from campaigns.confirmation import owed_confirmations
from campaigns.db import session_scope
from campaigns.delivery import deliver_batch
from campaigns.planner import BATCH_SIZE, claim_due_sends
from campaigns.providers import Provider
from campaigns.recovery import requeue_due, settle_stuck
from campaigns.settings import Settings
from campaigns.signup import leftover_attempts, take_attempt

OUTCOMES = ("claimed", "sent", "skipped", "failed", "unknown", "retrying", "rescheduled", "waiting")


def plan(
    sessions: sessionmaker[Session],
    now: datetime,
    hand_on: Callable[[list[int]], None],
    confirm: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Run one planning cycle as of `now`, passing each batch of send ids to `hand_on`."""
    handed = 0
    if confirm:
        take_leftover_attempts(sessions, now)
    with session_scope(sessions) as session:
        settle_stuck(session, now)
        owed = owed_confirmations(session, now) if confirm else []
    for consent_id in owed:
        assert confirm is not None
        confirm(consent_id)
    while True:
        with session_scope(sessions) as session:
            lost = requeue_due(session, now, batch_size)
        if not lost:
            break
        hand_on(lost)
        handed += len(lost)
    last_id = 0
    while True:
        with session_scope(sessions) as session:
            batch = claim_due_sends(session, now, after_id=last_id, limit=batch_size)
        if not batch.send_ids:
            return handed
        hand_on(batch.send_ids)
        handed += len(batch.send_ids)
        last_id = batch.last_enrollment_id


def take_leftover_attempts(sessions: sessionmaker[Session], now: datetime) -> None:
    """Decide the signups whose job never ran; their confirmations are then owed like any other."""
    with session_scope(sessions) as session:
        leftover = leftover_attempts(session, now)
    for attempt_id in leftover:
        with session_scope(sessions) as session:
            take_attempt(session, attempt_id)


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
