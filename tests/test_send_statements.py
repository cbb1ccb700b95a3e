"""A batch costs the same few SQL statements whatever its size: the send path is set-based."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from campaigns.clinic import sender_for
from campaigns.db import make_session_factory
from campaigns.delivery import deliver_batch
from campaigns.enrollment import enroll
from campaigns.models import Enrollment, Send, Subscriber
from campaigns.outgoing import OutgoingEmail, SendOutcome
from campaigns.planner import claim_due_sends
from campaigns.statuses import EnrollmentStatus, SendStatus, SubscriberStatus
from tests.conftest import engine_for
from tests.factories import START, seeded


class AcceptingProvider:
    """Accepts every email at once, as a provider that answers 202 would."""

    def send_many(self, emails: list[OutgoingEmail]) -> list[SendOutcome]:
        return [SendOutcome.sent(f"msg-{email.send_ref}") for email in emails]


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    """Collect every statement sent to the database meanwhile (an executemany counts once)."""
    statements: list[str] = []
    engine = session.get_bind()

    def note(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        statements.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def people_due(db: Session, settings, count: int, start: int = 0) -> None:
    """Create `count` active subscribers whose first email is due now, at any hour."""
    sequence = seeded(db, settings)
    db.execute(text("UPDATE steps SET window_start_hour = 0, window_end_hour = 24, window_weekdays = 127"))
    rows = [
        {
            "email": f"reader{n}@example.com",
            "first_name": f"Reader{n}" if n % 3 else None,
            "timezone": "Europe/Paris" if n % 2 else None,
            "status": SubscriberStatus.ACTIVE,
            "created_at": START,
        }
        for n in range(start, start + count)
    ]
    db.execute(insert(Subscriber), rows)
    enrolled = select(Enrollment.subscriber_id)
    for subscriber in db.scalars(select(Subscriber).where(Subscriber.id.not_in(enrolled))):
        enroll(db, subscriber, sequence, ZoneInfo("America/New_York"), START)
    db.commit()


def statements_for_a_batch(db: Session, settings) -> tuple[list[str], int]:
    batch_time = START + timedelta(minutes=1)
    batch = claim_due_sends(db, batch_time)
    db.commit()
    session = make_session_factory(engine_for(settings.database_url))()
    sender = sender_for(session, settings)
    with counted(session) as statements:
        counts = deliver_batch(
            session, batch.send_ids, sender, AcceptingProvider(), START + timedelta(minutes=1)
        )
    session.close()
    return statements, counts["sent"]


def test_a_thousand_emails_cost_as_many_statements_as_ten(db: Session, settings) -> None:
    people_due(db, settings, 10)
    small, sent_small = statements_for_a_batch(db, settings)
    assert sent_small == 10
    db.execute(text("DELETE FROM sends"))
    db.execute(text("DELETE FROM enrollments"))
    db.execute(text("DELETE FROM subscribers"))
    db.commit()
    people_due(db, settings, 1000, start=10)
    large, sent_large = statements_for_a_batch(db, settings)
    assert sent_large == 1000
    print(f"\nstatements for a batch of 10: {len(small)}, of 1,000: {len(large)}: {' '.join(large)}")
    # The first batch also numbers the email's links; after that, none grows with the batch.
    assert len(large) <= len(small), "the statements a batch costs do not grow with it"
    assert len(large) <= 20
    db.expire_all()
    assert {s.status for s in db.scalars(select(Send))} == {SendStatus.SENT}
    moved = db.scalars(select(Enrollment)).all()
    assert all(e.status == EnrollmentStatus.ACTIVE and e.next_send_at and e.last_sent_at for e in moved)
