"""Put subscribers into sequences and move them along, step by step."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Enrollment, Sequence, Step, StepVersion, Subscriber
from campaigns.scheduling import SendWindow, due_time
from campaigns.statuses import EnrollmentStatus, SequenceStatus


def window_of(step: Step) -> SendWindow:
    """Return the step's send window."""
    return SendWindow(step.window_start_hour, step.window_end_hour, step.window_weekdays)


def live_steps(session: Session, sequence_id: int) -> list[Step]:
    """Return the sequence's steps that are not deleted and have a published version, in order."""
    published = select(StepVersion.step_id).distinct()
    return list(
        session.scalars(
            select(Step)
            .where(Step.sequence_id == sequence_id, Step.deleted_at.is_(None))
            .where(Step.id.in_(published))
            .order_by(Step.position, Step.id)
        )
    )


def enroll(
    session: Session, subscriber: Subscriber, sequence: Sequence, zone: ZoneInfo, now: datetime
) -> Enrollment:
    """Enroll `subscriber` in `sequence`, due at the first step's delay, inside its window."""
    enrollment = Enrollment(
        subscriber_id=subscriber.id,
        sequence_id=sequence.id,
        status=EnrollmentStatus.ACTIVE,
        enrolled_at=now,
    )
    session.add(enrollment)
    _point_at(enrollment, next(iter(live_steps(session, sequence.id)), None), zone, now, now)
    return enrollment


def default_sequence(session: Session) -> Sequence | None:
    """Return the active sequence new confirmations join, if there is one."""
    return session.scalar(
        select(Sequence)
        .where(Sequence.is_default.is_(True), Sequence.status == SequenceStatus.ACTIVE)
        .order_by(Sequence.id)
        .limit(1)
    )


def enroll_in_default(session: Session, subscriber: Subscriber, zone: ZoneInfo, now: datetime) -> None:
    """Enroll a newly confirmed subscriber in the default sequence, or resume where they left it."""
    sequence = default_sequence(session)
    if sequence is not None:
        join(session, subscriber, sequence, zone, now)


def join(session: Session, subscriber: Subscriber, sequence: Sequence, zone: ZoneInfo, now: datetime) -> bool:
    """Enroll a confirmed subscriber in `sequence`, or resume where they left it; tell whether they joined.

    Someone still in the sequence, or who finished it, stays where they are.
    """
    if sequence.status not in (SequenceStatus.ACTIVE, SequenceStatus.PAUSED):
        return False
    existing = session.scalar(
        select(Enrollment).where(
            Enrollment.subscriber_id == subscriber.id, Enrollment.sequence_id == sequence.id
        )
    )
    if existing is None:
        enroll(session, subscriber, sequence, zone, now)
        return True
    if existing.status == EnrollmentStatus.EXITED:
        existing.status, existing.ended_at, existing.exit_reason = EnrollmentStatus.ACTIVE, None, None
        _point_at(existing, existing.next_step, zone, now, now)
        return True
    return False


def advance(enrollment: Enrollment, sent: Step, steps: list[Step], zone: ZoneInfo, now: datetime) -> None:
    """Move past `sent`: point at the next of the sequence's live `steps`, or complete."""
    enrollment.last_sent_at = now
    _point_at(enrollment, _after_for(enrollment, sent, steps), zone, now, now)


def skip_step(
    enrollment: Enrollment, skipped: Step, steps: list[Step], zone: ZoneInfo, now: datetime
) -> None:
    """Move past a step that will never be sent (it was deleted); the delay counts from the last send."""
    base = enrollment.last_sent_at or enrollment.enrolled_at
    _point_at(enrollment, _after_for(enrollment, skipped, steps), zone, base, now)


def point_at(enrollment: Enrollment, step: Step, zone: ZoneInfo, now: datetime) -> None:
    """Make `step` the enrollment's next, due its delay after the last send (or enrollment)."""
    _point_at(enrollment, step, zone, enrollment.last_sent_at or enrollment.enrolled_at, now)


class Pointer(NamedTuple):
    """Where an enrollment points after a step: the next step and when it is due, or neither."""

    next_step_id: int | None
    next_send_at: datetime | None


def pointer_after(
    step_id: int, position: int, steps: list[Step], zone: ZoneInfo, base: datetime, pointed: int | None = None
) -> Pointer:
    """Return the next of the live `steps` after the step at `position`, due its delay after `base`.

    `pointed` is the enrollment's own next step: when it is another live step, a reorder chose
    it while this step's email was in flight, and it wins over the next in order.
    """
    following = _pointed(pointed, step_id, steps) or _following(step_id, position, steps)
    if following is None:
        return Pointer(None, None)
    return Pointer(following.id, due_time(base, following.delay_minutes, window_of(following), zone))


def _following(step_id: int, position: int, steps: list[Step]) -> Step | None:
    later = [s for s in steps if s.position > position and s.id != step_id]
    return later[0] if later else None


def _after(step: Step, steps: list[Step]) -> Step | None:
    return _following(step.id, step.position, steps)


def _pointed(next_step_id: int | None, step_id: int, steps: list[Step]) -> Step | None:
    if next_step_id is None or next_step_id == step_id:
        return None
    return next((s for s in steps if s.id == next_step_id), None)


def _after_for(enrollment: Enrollment, step: Step, steps: list[Step]) -> Step | None:
    """Return the step after `step` for this person: where a reorder pointed them, or the next in order."""
    return _pointed(enrollment.next_step_id, step.id, steps) or _after(step, steps)


def _point_at(
    enrollment: Enrollment, step: Step | None, zone: ZoneInfo, base: datetime, now: datetime
) -> None:
    if step is None:
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.next_step_id = None
        enrollment.next_send_at = None
        enrollment.ended_at = now
        return
    enrollment.next_step_id = step.id
    enrollment.next_step = step
    enrollment.next_send_at = due_time(base, step.delay_minutes, window_of(step), zone)
