"""Joining a sequence: by signing up on its page, by confirming, or, once confirmed, at once.

An address confirms once. A confirmed person who signs up for a second sequence joins it
without another confirmation email, and the signup still leaves its own consent record.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.enrollment import default_sequence, join
from campaigns.models import ConsentRecord, Enrollment, Sequence, Subscriber
from campaigns.rollups import bump_sequence
from campaigns.statuses import EnrollmentStatus


def sequence_for(session: Session, sequence_id: int | None) -> Sequence | None:
    """Return the sequence a signup is for: the one named, or the default."""
    if sequence_id is not None:
        return session.get(Sequence, sequence_id)
    return default_sequence(session)


def is_in(session: Session, subscriber: Subscriber, sequence: Sequence) -> bool:
    """Tell whether the subscriber is in `sequence` now, or finished it."""
    status = session.scalar(
        select(Enrollment.status).where(
            Enrollment.subscriber_id == subscriber.id, Enrollment.sequence_id == sequence.id
        )
    )
    return status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def count_signup(session: Session, record: ConsentRecord, now: datetime) -> None:
    """Count a signup towards its sequence's funnel."""
    if record.sequence_id is not None:
        bump_sequence(session, Counter({(record.sequence_id, now.date(), "signed_up"): 1}))


def join_confirmed(
    session: Session, subscriber: Subscriber, record: ConsentRecord, zone: ZoneInfo, now: datetime
) -> None:
    """Put an already confirmed subscriber straight into the sequence of a new signup."""
    record.confirmed_at = now
    sequence = session.get(Sequence, record.sequence_id) if record.sequence_id else None
    if sequence is not None and join(session, subscriber, sequence, zone, now):
        bump_sequence(session, Counter({(sequence.id, now.date(), "confirmed"): 1}))


def join_on_confirming(
    session: Session, subscriber: Subscriber, record: ConsentRecord, zone: ZoneInfo, now: datetime
) -> None:
    """Enroll a subscriber who just confirmed in every sequence they signed up for and had not confirmed."""
    waiting = session.scalars(
        select(ConsentRecord).where(
            ConsentRecord.subscriber_id == subscriber.id,
            ConsentRecord.confirmed_at.is_(None),
            ConsentRecord.id != record.id,
        )
    ).all()
    wanted = {record.sequence_id} | {other.sequence_id for other in waiting}
    for other in waiting:
        other.confirmed_at = now
    if None in wanted:  # signed up before sequences had their own pages: the default one
        wanted.discard(None)
        default = default_sequence(session)
        wanted |= {default.id} if default else set()
    joined: Counter[tuple[int, date, str]] = Counter()
    for sequence_id in sorted(i for i in wanted if i is not None):
        sequence = session.get(Sequence, sequence_id)
        if sequence is not None and join(session, subscriber, sequence, zone, now):
            joined[(sequence_id, now.date(), "confirmed")] += 1
    bump_sequence(session, joined)
