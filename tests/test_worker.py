"""The production path: the cron job plans, an RQ worker on real Redis delivers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy.orm import Session

from campaigns.leadership import CRON, LEASE_TERM, lead
from campaigns.models import Sequence
from campaigns.settings import Settings
from tests.factories import active_subscriber, outbox_messages, seeded
from workers import jobs
from workers.queues import DEFAULT_QUEUE, QUEUES, SEND_QUEUE


def open_all_day(sequence: Sequence) -> Sequence:
    """Let every step go out at any hour, so the test does not depend on the wall clock."""
    for step in sequence.steps:
        step.window_start_hour, step.window_end_hour, step.window_weekdays = 0, 24, 0b1111111
    return sequence


def due_now(db: Session, sequence: Sequence, email: str) -> None:
    """Enroll a subscriber whose first email was due a minute ago."""
    now = datetime.now(UTC)
    _, enrollment = active_subscriber(db, sequence, email=email, now=now)
    enrollment.next_send_at = now - timedelta(minutes=1)
    db.commit()


def test_planned_sends_are_delivered_by_an_rq_worker_exactly_once(
    db: Session, worker_env: Settings, redis: Redis
) -> None:
    sequence = open_all_day(seeded(db, worker_env))
    for n in range(3):
        due_now(db, sequence, f"reader{n}@example.com")

    assert jobs.plan_due() == 3
    assert jobs.plan_due() == 0  # planning again claims nothing twice
    assert Queue(SEND_QUEUE, connection=redis).count == 1  # one job for the whole batch

    SimpleWorker([Queue(name, connection=redis) for name in QUEUES], connection=redis).work(burst=True)
    recipients = sorted(m["To"] for m in outbox_messages(worker_env.outbox_dir))
    assert recipients == ["reader0@example.com", "reader1@example.com", "reader2@example.com"]


def test_a_delivery_job_run_twice_sends_nothing_twice(
    db: Session, worker_env: Settings, redis: Redis
) -> None:
    due_now(db, open_all_day(seeded(db, worker_env)), "ada@example.com")
    jobs.plan_due()
    [job] = Queue(SEND_QUEUE, connection=redis).get_jobs()
    first = jobs.send_batch(*job.args)
    second = jobs.send_batch(*job.args)
    assert first == {"sent": 1}
    assert second == {}  # it finds the row already sent and leaves it alone
    assert len(outbox_messages(worker_env.outbox_dir)) == 1


def test_a_cron_that_takes_the_lease_over_plans_at_once_and_a_renewal_does_not(
    db: Session, worker_env: Settings, redis: Redis
) -> None:
    due_now(db, open_all_day(seeded(db, worker_env)), "ada@example.com")
    lead(db, CRON, "dead-cron", datetime.now(UTC) - LEASE_TERM * 2)  # a leader that died long ago
    db.commit()
    planning = Queue(DEFAULT_QUEUE, connection=redis)

    jobs.drain_tracking("standby")
    assert [(job.func_name, job.args) for job in planning.get_jobs()] == [
        ("workers.jobs.plan_due", ("standby",))
    ]
    jobs.drain_tracking("standby")  # now it renews its own lease: the planner's interval is soon enough
    assert planning.count == 1

    SimpleWorker([Queue(name, connection=redis) for name in QUEUES], connection=redis).work(burst=True)
    assert [m["To"] for m in outbox_messages(worker_env.outbox_dir)] == ["ada@example.com"]
