"""RQ jobs. Each takes ids, never ORM objects, and does its work through the domain."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from campaigns.clinic import sender_for
from campaigns.db import session_scope
from campaigns.delivery import deliver_send
from campaigns.planner import claim_due_sends
from workers.queues import SEND_QUEUE, connect, enqueue
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


def plan_due() -> int:
    """Claim every due send in batches and enqueue one delivery job per batch; return the count."""
    runtime = get_runtime()
    connection = connect(runtime.settings)
    claimed, last_id = 0, 0
    while True:
        with session_scope(runtime.sessions) as session:
            batch = claim_due_sends(session, datetime.now(UTC), after_id=last_id)
        if not batch.send_ids:
            return claimed
        enqueue(connection, "workers.jobs.send_batch", batch.send_ids, queue=SEND_QUEUE)
        claimed += len(batch.send_ids)
        last_id = batch.last_enrollment_id
