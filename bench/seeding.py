"""Seeding shared by the benchmarks: subscribers at @bench.invalid, and their removal."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, literal, select, text
from sqlalchemy.orm import Session

from campaigns.models import Enrollment, Send, Subscriber
from campaigns.models.base import UTCDateTime
from campaigns.seed import seed_default_sequence
from campaigns.statuses import EnrollmentStatus, SubscriberStatus

BENCH_DOMAIN = "bench.invalid"


def refuse_real_subscribers(session: Session, allowed: bool) -> None:
    """Stop unless the database holds only benchmark subscribers (or we were told otherwise)."""
    real = session.scalar(
        select(func.count(Subscriber.id)).where(~Subscriber.email.like(f"%@{BENCH_DOMAIN}"))
    )
    if real and not allowed:
        sys.exit(f"This database holds {real} real subscribers; pass --allow-existing to run beside them.")


def seed_due(session: Session, count: int) -> None:
    """Create `count` active subscribers enrolled in the default sequence, due now, any hour."""
    now = datetime.now(UTC)
    seed_default_sequence(session, now)
    session.execute(
        text("UPDATE steps SET window_start_hour = 0, window_end_hour = 24, window_weekdays = 127")
    )
    sequence_id, step_id = session.execute(
        text(
            "SELECT s.id, st.id FROM sequences s JOIN steps st ON st.sequence_id = s.id "
            "WHERE s.is_default ORDER BY st.position LIMIT 1"
        )
    ).one()
    for start in range(0, count, 10_000):
        rows = [
            {
                "email": f"reader{n}@{BENCH_DOMAIN}",
                "first_name": f"Reader{n}" if n % 3 else None,
                "timezone": "America/New_York",
                "status": SubscriberStatus.ACTIVE,
                "created_at": now,
            }
            for n in range(start, min(count, start + 10_000))
        ]
        session.execute(insert(Subscriber), rows)
    due = now - timedelta(minutes=1)
    session.execute(
        insert(Enrollment.__table__).from_select(
            ["subscriber_id", "sequence_id", "status", "next_step_id", "next_send_at", "enrolled_at"],
            select(
                Subscriber.id,
                literal(sequence_id),
                literal(EnrollmentStatus.ACTIVE.value),
                literal(step_id),
                literal(due, UTCDateTime()),
                literal(due, UTCDateTime()),
            ).where(Subscriber.email.like(f"%@{BENCH_DOMAIN}")),
        )
    )


def remove_seeded(session: Session) -> None:
    """Delete every row the benchmark created."""
    seeded = select(Subscriber.id).where(Subscriber.email.like(f"%@{BENCH_DOMAIN}"))
    session.execute(delete(Send).where(Send.subscriber_id.in_(seeded)))
    session.execute(delete(Enrollment).where(Enrollment.subscriber_id.in_(seeded)))
    session.execute(delete(Subscriber).where(Subscriber.id.in_(seeded)))


def vacuum(engine: Engine) -> None:
    """Vacuum and analyze PostgreSQL, so that a run does not wade through the rows earlier runs deleted.

    Each run inserts, updates and deletes hundreds of thousands of rows; where autovacuum is off or
    behind, the next run's queries read every dead one, and its figures drift worse run after run.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
