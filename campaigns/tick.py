"""Run the planner as of one moment and deliver what it claimed, in this process.

This is the operator's catch-up tool (`flask --app wsgi tick --at ...`) and the way tests walk
a subscriber through a sequence; in production, `rq cron` plans and RQ workers deliver.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from campaigns.clinic import sender_for
from campaigns.db import session_scope
from campaigns.delivery import deliver_send
from campaigns.planner import claim_due_sends
from campaigns.providers import Provider
from campaigns.settings import Settings

OUTCOMES = ("claimed", "sent", "skipped", "failed", "unknown", "rescheduled")


def run_tick(
    sessions: sessionmaker[Session], settings: Settings, provider: Provider, now: datetime
) -> Counter[str]:
    """Claim every send due at `now`, deliver each, and count the outcomes."""
    counts: Counter[str] = Counter({name: 0 for name in OUTCOMES})
    last_id = 0
    while True:
        with session_scope(sessions) as session:
            batch = claim_due_sends(session, now, after_id=last_id)
        if not batch.send_ids:
            return counts
        last_id = batch.last_enrollment_id
        counts["claimed"] += len(batch.send_ids)
        with session_scope(sessions) as session:
            sender = sender_for(session, settings)
            for send_id in batch.send_ids:
                status = deliver_send(session, send_id, sender, provider, now)
                counts[str(status) if status else "rescheduled"] += 1
