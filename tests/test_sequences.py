"""Many sequences: made, copied and retired; each with its own signups; one confirmation per address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.confirmation import confirm
from campaigns.consent import CONSENT_VERSION
from campaigns.conversions import Booking, record_conversion
from campaigns.errors import ValidationError
from campaigns.exits import unsubscribe
from campaigns.models import ConsentRecord, Enrollment, SequenceRollup, Subscriber
from campaigns.sequence_editing import StepDraft, insert_step, publish_step
from campaigns.sequences.catalog import Details, change_status, create_sequence, duplicate_sequence, joinable
from campaigns.signup import Signup, sign_up
from campaigns.statuses import EnrollmentStatus, SequenceStatus
from tests.factories import START, seeded

DAY = 24 * 60


def signup(email: str, sequence_id: int | None = None) -> Signup:
    return Signup(
        email, "Ada", "Europe/Paris", "form", None, None, None, "Yes please.", CONSENT_VERSION, sequence_id
    )


def press_confirm(db: Session, record: ConsentRecord, settings, now=START) -> str:
    """Confirm as the link in the confirmation email does: the email went out, the link is its own."""
    record.confirmation_sent_at = now
    return confirm(db, record.subscriber_id, record.id, settings.clinic_timezone, now, issued=now).value


def second_sequence(db: Session, settings, slug: str = "sleep-and-pain"):
    sequence = create_sequence(
        db, Details("Sleep and pain", slug, "For the sleep article", "Sleep better"), START
    )
    step = insert_step(db, sequence, 1, StepDraft("Sleep, first", "Hello.", DAY), START)
    publish_step(db, step, settings.clinic_timezone, START)
    change_status(db, sequence, SequenceStatus.ACTIVE, START)
    db.commit()
    return sequence


def enrollments(db: Session, email: str) -> dict[str, str]:
    db.expire_all()
    subscriber = db.scalars(select(Subscriber).where(Subscriber.email == email)).one()
    rows = db.scalars(select(Enrollment).where(Enrollment.subscriber_id == subscriber.id)).all()
    return {row.sequence.slug: row.status for row in rows}


def test_a_new_sequence_is_a_draft_nobody_can_join_until_it_starts(db: Session, settings) -> None:
    seeded(db, settings)
    sequence = create_sequence(db, Details("Sleep and pain", "sleep-and-pain"), START)
    assert sequence.status == SequenceStatus.DRAFT and joinable(db, "sleep-and-pain") is None
    with pytest.raises(ValidationError, match="Publish at least one email"):
        change_status(db, sequence, SequenceStatus.ACTIVE, START)
    step = insert_step(db, sequence, 1, StepDraft("Sleep, first", "Hello.", DAY), START)
    publish_step(db, step, settings.clinic_timezone, START)
    change_status(db, sequence, SequenceStatus.ACTIVE, START)
    assert joinable(db, "sleep-and-pain") is sequence
    change_status(db, sequence, SequenceStatus.PAUSED, START)
    assert joinable(db, "sleep-and-pain") is sequence  # signups wait for the resume
    change_status(db, sequence, SequenceStatus.ARCHIVED, START)
    assert joinable(db, "sleep-and-pain") is None
    with pytest.raises(ValidationError, match="cannot become paused"):
        change_status(db, sequence, SequenceStatus.PAUSED, START)


@pytest.mark.parametrize(
    ("name", "slug", "message"),
    [("", "ok", "name"), ("Fine", "Not A Slug", "lower-case"), ("Fine", "fibromyalgia-education", "already")],
)
def test_a_sequence_needs_a_name_and_a_free_address(db: Session, settings, name, slug, message) -> None:
    seeded(db, settings)
    with pytest.raises(ValidationError, match=message):
        create_sequence(db, Details(name, slug), START)


def test_the_default_sequence_cannot_be_archived(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    with pytest.raises(ValidationError, match="cannot be archived"):
        change_status(db, sequence, SequenceStatus.ARCHIVED, START)


def test_duplicating_copies_each_step_as_an_unpublished_draft(db: Session, settings) -> None:
    source = seeded(db, settings)
    copy = duplicate_sequence(db, source, Details("Copy", "copy"), START)
    db.commit()
    db.refresh(copy)
    assert [s.subject for s in copy.steps] == [s.subject for s in source.steps]
    assert [s.delay_minutes for s in copy.steps] == [s.delay_minutes for s in source.steps]
    assert all(not s.versions for s in copy.steps) and copy.status == SequenceStatus.DRAFT


def test_a_signup_joins_the_sequence_of_its_page_once_confirmed(db: Session, settings) -> None:
    seeded(db, settings)
    sleep = second_sequence(db, settings)
    record = sign_up(db, signup("ada@example.com", sleep.id), START)
    db.commit()
    assert record is not None and record.sequence_id == sleep.id
    assert press_confirm(db, record, settings) == "confirmed"
    db.commit()
    assert enrollments(db, "ada@example.com") == {"sleep-and-pain": EnrollmentStatus.ACTIVE}


def test_a_confirmed_person_joins_a_second_sequence_without_a_second_confirmation(
    db: Session, settings
) -> None:
    default = seeded(db, settings)
    sleep = second_sequence(db, settings)
    first = sign_up(db, signup("ada@example.com"), START)
    assert first is not None and first.sequence_id == default.id
    press_confirm(db, first, settings)
    db.commit()
    later = START + timedelta(days=2)
    assert sign_up(db, signup("ada@example.com", sleep.id), later) is None  # no confirmation owed
    db.commit()
    assert enrollments(db, "ada@example.com") == {
        "fibromyalgia-education": EnrollmentStatus.ACTIVE,
        "sleep-and-pain": EnrollmentStatus.ACTIVE,
    }
    records = db.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert [(r.sequence_id, r.confirmed_at) for r in records] == [(default.id, START), (sleep.id, later)]
    assert sign_up(db, signup("ada@example.com", sleep.id), later) is None
    assert len(db.scalars(select(ConsentRecord)).all()) == 2  # joining again records nothing new


def test_confirming_once_joins_every_sequence_signed_up_for(db: Session, settings) -> None:
    seeded(db, settings)
    sleep = second_sequence(db, settings)
    first = sign_up(db, signup("ada@example.com"), START)
    sign_up(db, signup("ada@example.com", sleep.id), START)
    db.commit()
    press_confirm(db, first, settings)
    db.commit()
    assert set(enrollments(db, "ada@example.com")) == {"fibromyalgia-education", "sleep-and-pain"}
    counts = {(r.sequence_id, r.metric): r.count for r in db.scalars(select(SequenceRollup))}
    assert counts[(sleep.id, "signed_up")] == 1 and counts[(sleep.id, "confirmed")] == 1


@pytest.mark.parametrize("leave", ["booking", "unsubscribe"])
def test_a_booking_or_an_unsubscribe_ends_every_sequence(db: Session, settings, leave) -> None:
    seeded(db, settings)
    sleep = second_sequence(db, settings)
    first = sign_up(db, signup("ada@example.com"), START)
    press_confirm(db, first, settings)
    sign_up(db, signup("ada@example.com", sleep.id), START)
    db.commit()
    subscriber = db.get_one(Subscriber, first.subscriber_id)
    if leave == "booking":
        record_conversion(db, Booking(email="ada@example.com", source="form"), START)
    else:
        unsubscribe(db, subscriber, START)
    db.commit()
    assert set(enrollments(db, "ada@example.com").values()) == {EnrollmentStatus.EXITED}
