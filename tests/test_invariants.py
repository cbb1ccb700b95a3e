"""The database itself refuses duplicates: one person per address, one enrollment, one send per step."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.models import Enrollment, Send, Subscriber
from campaigns.settings import Settings
from campaigns.statuses import EnrollmentStatus, SendStatus, SubscriberStatus
from tests.factories import START, active_subscriber, seeded


def test_an_address_is_on_the_list_once(db: Session, settings: Settings) -> None:
    db.add(Subscriber(email="ada@example.com", status=SubscriberStatus.PENDING, created_at=START))
    db.commit()
    db.add(Subscriber(email="ada@example.com", status=SubscriberStatus.PENDING, created_at=START))
    with pytest.raises(IntegrityError):
        db.commit()


def test_a_subscriber_is_enrolled_in_a_sequence_once(db: Session, settings: Settings) -> None:
    sequence = seeded(db, settings)
    subscriber, _ = active_subscriber(db, sequence)
    db.add(
        Enrollment(
            subscriber_id=subscriber.id,
            sequence_id=sequence.id,
            status=EnrollmentStatus.ACTIVE,
            enrolled_at=START,
        )
    )
    with pytest.raises(IntegrityError):
        db.commit()


def test_a_step_is_sent_to_an_enrollment_once(db: Session, settings: Settings) -> None:
    sequence = seeded(db, settings)
    subscriber, enrollment = active_subscriber(db, sequence)
    step = sequence.steps[0]
    for _ in range(2):
        db.add(
            Send(
                enrollment_id=enrollment.id,
                step_id=step.id,
                subscriber_id=subscriber.id,
                status=SendStatus.QUEUED,
                queued_at=START,
            )
        )
    with pytest.raises(IntegrityError):
        db.commit()


def test_times_come_back_in_utc_whatever_the_backend(db: Session, settings: Settings) -> None:
    sequence = seeded(db, settings)
    _, enrollment = active_subscriber(db, sequence)
    db.expire_all()
    reloaded = db.get_one(Enrollment, enrollment.id)
    assert reloaded.enrolled_at == START
    assert (
        reloaded.enrolled_at.utcoffset() is not None and reloaded.enrolled_at.utcoffset().total_seconds() == 0
    )
