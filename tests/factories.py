"""Small builders the tests share: seeded data and subscribers in a known state."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.enrollment import enroll
from campaigns.models import Enrollment, Sequence, Subscriber
from campaigns.seed import DEFAULT_SLUG, seed
from campaigns.settings import Settings
from campaigns.statuses import SubscriberStatus

START = datetime(2030, 1, 7, 14, 0, tzinfo=UTC)  # a Monday, 09:00 in New York


def seeded(db: Session, settings: Settings, now: datetime = START) -> Sequence:
    """Seed the database and return the default sequence."""
    seed(db, settings, now)
    db.commit()
    return db.scalars(select(Sequence).where(Sequence.slug == DEFAULT_SLUG)).one()


def active_subscriber(
    db: Session,
    sequence: Sequence,
    email: str = "ada@example.com",
    timezone: str = "America/New_York",
    now: datetime = START,
) -> tuple[Subscriber, Enrollment]:
    """Create a confirmed subscriber enrolled in `sequence`."""
    subscriber = Subscriber(
        email=email, first_name="Ada", timezone=timezone, status=SubscriberStatus.ACTIVE, created_at=now
    )
    db.add(subscriber)
    db.flush()
    enrollment = enroll(db, subscriber, sequence, ZoneInfo(timezone), now)
    db.commit()
    return subscriber, enrollment


def outbox_messages(folder: Path) -> list[EmailMessage]:
    """Parse every `.eml` in the outbox, oldest name first."""
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]  # type: ignore[misc]
