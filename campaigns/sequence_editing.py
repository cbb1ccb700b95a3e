"""Change a sequence while people are in it, keeping each person's place by step identity.

Pausing stops every send and loses nobody's place. A step inserted and published applies to
those not yet past it (whose next step is the one it now precedes); a deleted step is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaigns.enrollment import live_steps, point_at, skip_step
from campaigns.models import Enrollment, Send, Sequence, Step, StepVersion, Subscriber
from campaigns.statuses import EnrollmentStatus, SendStatus, SequenceStatus


@dataclass(frozen=True)
class StepDraft:
    """What a marketer sets on a step."""

    subject: str
    body: str
    delay_minutes: int
    preheader: str = ""
    window_start_hour: int = 9
    window_end_hour: int = 17
    window_weekdays: int = 0b0011111


def set_status(session: Session, sequence: Sequence, status: SequenceStatus, now: datetime) -> None:
    """Activate, pause, resume or archive a sequence; enrollments keep their places."""
    sequence.status, sequence.updated_at = status, now
    if status == SequenceStatus.ACTIVE:  # emails that waited out the pause are due again at once
        in_sequence = select(Enrollment.id).where(Enrollment.sequence_id == sequence.id)
        session.execute(
            update(Send)
            .where(Send.status == SendStatus.QUEUED, Send.enrollment_id.in_(in_sequence))
            .values(retry_at=now)
            .execution_options(synchronize_session=False)
        )


def insert_step(session: Session, sequence: Sequence, position: int, draft: StepDraft, now: datetime) -> Step:
    """Insert a draft step at `position` (1 = first); later steps move down one. It sends once published."""
    session.execute(
        update(Step)
        .where(Step.sequence_id == sequence.id, Step.position >= position)
        .values(position=Step.position + 1)
        .execution_options(synchronize_session="fetch")
    )
    step = Step(sequence_id=sequence.id, position=position, created_at=now, updated_at=now, **draft.__dict__)
    session.add(step)
    session.flush()
    return step


def publish_step(
    session: Session, step: Step, fallback_zone: str, now: datetime, user_id: int | None = None
) -> StepVersion:
    """Freeze the step's draft as its next version; a newly live step joins enrollments not yet past it.

    A draft with a second subject publishes a second row of the same version (variant "b"),
    and starts its subject test afresh.
    """
    newest = session.scalar(select(func.max(StepVersion.version)).where(StepVersion.step_id == step.id))
    subjects = {"a": step.subject} | ({"b": step.subject_b} if step.subject_b else {})
    rows = [
        StepVersion(
            step_id=step.id,
            version=(newest or 0) + 1,
            variant=variant,
            subject=subject,
            preheader=step.preheader,
            body=step.body,
            published_at=now,
            published_by_id=user_id,
        )
        for variant, subject in subjects.items()
    ]
    session.add_all(rows)
    step.ab_winner = None
    session.flush()
    session.expire(step, ["versions"])
    if newest is None:
        _route_into(session, step, fallback_zone, now)
    return rows[0]


def delete_step(session: Session, step: Step, fallback_zone: str, now: datetime) -> None:
    """Delete a step: nobody receives it any more; those about to get it move to the next one."""
    step.deleted_at = step.updated_at = now
    session.flush()
    steps = live_steps(session, step.sequence_id)
    for enrollment, zone in waiting_for(session, [step.id], fallback_zone):
        skip_step(enrollment, step, steps, zone, now)


def _route_into(session: Session, step: Step, fallback_zone: str, now: datetime) -> None:
    """Point enrollments whose next step comes right after the new `step` at it instead."""
    steps = live_steps(session, step.sequence_id)
    following = [s for s in steps if s.position > step.position]
    if not following:  # a new last step: those who completed already have moved on
        return
    for enrollment, zone in waiting_for(session, [following[0].id], fallback_zone):
        point_at(enrollment, step, zone, now)


def waiting_for(
    session: Session, step_ids: list[int], fallback_zone: str
) -> list[tuple[Enrollment, ZoneInfo]]:
    """Active enrollments whose next step is one of `step_ids` and not yet claimed, with their zone."""
    rows = session.execute(
        select(Enrollment, Subscriber.timezone)
        .join(Subscriber, Subscriber.id == Enrollment.subscriber_id)
        .where(
            Enrollment.next_step_id.in_(step_ids),
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.next_send_at.is_not(None),
        )
    )
    return [(enrollment, ZoneInfo(zone or fallback_zone)) for enrollment, zone in rows]
