"""What staff may do to one person by hand; every action leaves an audit entry."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.confirmation import AWAITING, request_new_link
from campaigns.enrollment import enroll, point_at
from campaigns.errors import ValidationError
from campaigns.exits import suppress, unsubscribe
from campaigns.models import ConsentRecord, Enrollment, Send, Sequence, Subscriber, Suppression
from campaigns.people.audit import record_action, subscriber_target
from campaigns.statuses import (
    EnrollmentStatus,
    SendStatus,
    SequenceStatus,
    SubscriberStatus,
    SuppressionReason,
)

MAX_REASON_LENGTH = 500


def clean_reason(raw: str) -> str:
    """Return a reason staff typed, trimmed, or raise ValidationError if it is missing or too long."""
    reason = " ".join(raw.split())
    if not reason:
        raise ValidationError("Give a reason; the audit log keeps it.")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(f"Keep the reason under {MAX_REASON_LENGTH} characters.")
    return reason


def unsubscribe_by_hand(session: Session, person: Subscriber, actor_id: int | None, now: datetime) -> None:
    """Unsubscribe a person from everything, as if they had pressed the button."""
    if person.status in (SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.ERASED):
        raise ValidationError("This person is already unsubscribed.")
    unsubscribe(session, person, now)
    record_action(session, actor_id, "subscriber.unsubscribe", subscriber_target(person.id), now)


def suppress_by_hand(
    session: Session, person: Subscriber, reason: str, actor_id: int | None, now: datetime
) -> Suppression:
    """Put a person's address on the suppression list with a reason: no email of any kind goes out."""
    note = clean_reason(reason)
    suppression = suppress(session, person.email, SuppressionReason.MANUAL, now, note=note)
    record_action(session, actor_id, "subscriber.suppress", subscriber_target(person.id), now, reason=note)
    return suppression


def resend_confirmation(
    session: Session, person: Subscriber, actor_id: int | None, now: datetime
) -> ConsentRecord:
    """Owe a person a fresh confirmation email for their latest signup; return its consent record."""
    latest = session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.subscriber_id == person.id)
        .order_by(ConsentRecord.id.desc())
    )
    if person.status not in AWAITING or latest is None:
        raise ValidationError("Only someone who signed up and has not confirmed can be sent a confirmation.")
    if session.scalar(select(Suppression.id).where(Suppression.email == person.email)):
        raise ValidationError("This address is on the suppression list; no email goes to it.")
    record = request_new_link(session, latest.id, None, None, now)
    if record is None:
        raise ValidationError("No confirmation is due for this person.")
    record_action(session, actor_id, "subscriber.resend_confirmation", subscriber_target(person.id), now)
    return record


def enroll_by_hand(
    session: Session,
    person: Subscriber,
    sequence: Sequence,
    zone: ZoneInfo,
    actor_id: int | None,
    now: datetime,
) -> Enrollment:
    """Enroll a confirmed person in another sequence, or take them back where they left it."""
    if person.status != SubscriberStatus.ACTIVE:
        raise ValidationError("Only a confirmed, active subscriber can be enrolled.")
    if session.scalar(select(Suppression.id).where(Suppression.email == person.email)):
        raise ValidationError("This address is on the suppression list; no email goes to it.")
    if sequence.status != SequenceStatus.ACTIVE:
        raise ValidationError(f"The sequence {sequence.name} is {sequence.status}, not active.")
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.subscriber_id == person.id, Enrollment.sequence_id == sequence.id)
    )
    if enrollment is None:
        enrollment = enroll(session, person, sequence, zone, now)
    elif enrollment.status == EnrollmentStatus.EXITED and enrollment.next_step is not None:
        enrollment.status, enrollment.ended_at, enrollment.exit_reason = EnrollmentStatus.ACTIVE, None, None
        point_at(enrollment, enrollment.next_step, zone, now)
    else:
        raise ValidationError(f"This person is already in {sequence.name} ({enrollment.status}).")
    session.flush()
    record_action(
        session, actor_id, "subscriber.enroll", subscriber_target(person.id), now, sequence=sequence.slug
    )
    return enrollment


def end_enrollment(session: Session, enrollment: Enrollment, actor_id: int | None, now: datetime) -> None:
    """End one of a person's sequences at once; emails already queued for it are skipped."""
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError("This enrollment has already ended.")
    enrollment.status, enrollment.ended_at = EnrollmentStatus.EXITED, now
    enrollment.exit_reason, enrollment.next_send_at = "ended by staff", None
    session.execute(
        update(Send)
        .where(Send.enrollment_id == enrollment.id, Send.status == SendStatus.QUEUED)
        .values(status=SendStatus.SKIPPED, error="the enrollment was ended by staff")
        .execution_options(synchronize_session="fetch")
    )
    record_action(
        session,
        actor_id,
        "subscriber.end_enrollment",
        subscriber_target(enrollment.subscriber_id),
        now,
        sequence=enrollment.sequence.slug,
    )
