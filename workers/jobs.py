"""RQ jobs. Each takes ids, never ORM objects, and does its work through the domain."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from campaigns.clinic import sender_for
from campaigns.confirmation import owed_confirmations, send_confirmation
from campaigns.db import session_scope
from campaigns.delivery import deliver_send
from campaigns.planner import claim_due_sends
from workers.queues import DEFAULT_QUEUE, SEND_QUEUE, connect, enqueue
from workers.runtime import get_runtime


def send_batch(send_ids: list[int]) -> dict[str, int]:
    """Deliver each send of a claimed batch; return how many ended in each status."""
    runtime = get_runtime()
    outcomes: Counter[str] = Counter()
    with session_scope(runtime.sessions) as session:
        sender = sender_for(session, runtime.settings)
        for send_id in send_ids:
            status = deliver_send(session, send_id, sender, runtime.provider, datetime.now(UTC))
            outcomes[str(status or "rescheduled")] += 1
    return dict(outcomes)


def send_confirmation_email(consent_id: int) -> bool:
    """Send the double opt-in email for one signup, if it is still owed."""
    runtime = get_runtime()
    with session_scope(runtime.sessions) as session:
        sender = sender_for(session, runtime.settings)
        return send_confirmation(session, consent_id, sender, runtime.provider, datetime.now(UTC))


def plan_due() -> int:
    """Queue owed confirmations, then claim due sends in batches, one delivery job per batch."""
    runtime = get_runtime()
    connection = connect(runtime.settings)
    with session_scope(runtime.sessions) as session:
        for consent_id in owed_confirmations(session, datetime.now(UTC)):
            enqueue(connection, "workers.jobs.send_confirmation_email", consent_id, queue=DEFAULT_QUEUE)
    claimed, last_id = 0, 0
    while True:
        with session_scope(runtime.sessions) as session:
            batch = claim_due_sends(session, datetime.now(UTC), after_id=last_id)
        if not batch.send_ids:
            return claimed
        enqueue(connection, "workers.jobs.send_batch", batch.send_ids, queue=SEND_QUEUE)
        claimed += len(batch.send_ids)
        last_id = batch.last_enrollment_id
