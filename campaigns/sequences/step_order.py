"""Reorder and duplicate steps while people are in the sequence, keeping everyone's place.

The promise is the one inserting and deleting keep: nobody misses an email they have not had
and nobody gets one twice. A person's place is the set of steps already behind them; after a
move, their next email is the first step, in the new order, that is not behind them. A step
they had that now comes later is skipped when they reach it (the planner sees it was sent).
Someone whose email is in flight has that step behind them too: they are pointed at what
follows it in the new order, and the email, once settled, hands them on there.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.enrollment import live_steps, point_at, skip_step
from campaigns.errors import ValidationError
from campaigns.models import ClinicProfile, Enrollment, Send, Sequence, Step, Subscriber
from campaigns.sequence_editing import StepDraft, insert_step, waiting_for
from campaigns.sequences.catalog import copy_of
from campaigns.set_sql import among
from campaigns.statuses import EnrollmentStatus, SendStatus

IN_FLIGHT = (SendStatus.QUEUED, SendStatus.SENDING, SendStatus.UNKNOWN, SendStatus.FAILED)
"""A send in these states is still to be settled: its enrollment waits for it, pointing at its step."""


def ordered_steps(session: Session, sequence_id: int) -> list[Step]:
    """Return the sequence's steps that are not deleted, drafts included, in order."""
    return list(
        session.scalars(
            select(Step)
            .where(Step.sequence_id == sequence_id, Step.deleted_at.is_(None))
            .order_by(Step.position, Step.id)
        )
    )


def move_step(session: Session, step: Step, to: int, fallback_zone: str, now: datetime) -> None:
    """Move a step to place `to` (1 = first) among the sequence's steps; others close up around it."""
    steps = ordered_steps(session, step.sequence_id)
    if not 1 <= to <= len(steps):
        raise ValidationError(f"Choose a place from 1 to {len(steps)}.")
    before = live_steps(session, step.sequence_id)
    behind = {s.id: {b.id for b in before[:i]} for i, s in enumerate(before)}
    steps.remove(step)
    steps.insert(to - 1, step)
    for position, each in enumerate(steps, start=1):
        each.position = position
    step.updated_at = now
    session.flush()
    after = live_steps(session, step.sequence_id)
    for enrollment, zone in waiting_for(session, list(behind), fallback_zone):
        past = behind[enrollment.next_step_id or 0]
        following = next((s for s in after if s.id not in past), None)
        if following is not None and following.id != enrollment.next_step_id:
            point_at(enrollment, following, zone, now)
    for enrollment, flying in in_flight(session, list(behind)):
        past = behind[enrollment.next_step_id or 0] | {flying}
        following = next((s for s in after if s.id not in past), None)
        if following is not None:  # once the email in flight is settled, this one follows it
            enrollment.next_step_id, enrollment.next_step = following.id, following


def in_flight(session: Session, step_ids: list[int]) -> list[tuple[Enrollment, int]]:
    """Return active enrollments pointing at one of `step_ids` with an email in flight, and its step.

    Such an email is claimed (queued, being sent, or waiting on an operator's decision); its
    enrollment is due nowhere until it is settled, and then moves past it (`pointer_after`).
    """
    rows = session.execute(
        select(Enrollment, Send.step_id)
        .join(Send, Send.enrollment_id == Enrollment.id)
        .where(
            Enrollment.next_step_id.in_(step_ids),
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.next_send_at.is_(None),
            Send.status.in_(IN_FLIGHT),
        )
        .order_by(Send.id)
    )
    return list({enrollment.id: (enrollment, step_id) for enrollment, step_id in rows}.values())


def already_had(session: Session, next_step: dict[int, int]) -> set[int]:
    """Return the due enrollments (id -> next step id) that had that step already: it moved behind them."""
    if not next_step:
        return set()
    rows = session.execute(
        select(Send.enrollment_id, Send.step_id).where(
            among(session, Send.enrollment_id, list(next_step)),
            Send.step_id.in_(set(next_step.values())),
            Send.status != SendStatus.SKIPPED,
        )
    )
    return {enrollment_id for enrollment_id, step_id in rows if next_step[enrollment_id] == step_id}


def skip_had(session: Session, enrollment_ids: set[int], now: datetime) -> None:
    """Move these enrollments past the step they had already, due after their last send."""
    if not enrollment_ids:
        return
    profile = session.scalar(select(ClinicProfile).limit(1))
    fallback = profile.timezone if profile else "UTC"
    rows = session.execute(
        select(Enrollment, Subscriber.timezone)
        .join(Subscriber, Subscriber.id == Enrollment.subscriber_id)
        .where(Enrollment.id.in_(enrollment_ids))
    )
    steps: dict[int, list[Step]] = {}
    for enrollment, zone in rows:
        live = steps.setdefault(enrollment.sequence_id, live_steps(session, enrollment.sequence_id))
        had = next((s for s in live if s.id == enrollment.next_step_id), None)
        if had is None:  # not live any more: the delivery checks settle it
            continue
        skip_step(enrollment, had, live, ZoneInfo(zone or fallback), now)
    session.flush()


def duplicate_step(session: Session, step: Step, now: datetime) -> Step:
    """Insert an unpublished copy of a step's draft right after it."""
    draft = StepDraft(step.subject, step.body, step.delay_minutes)
    copy = insert_step(session, _sequence(session, step), step.position + 1, draft, now)
    source = copy_of(step, step.sequence_id, copy.position, now)
    for name in ("preheader", "window_start_hour", "window_end_hour", "window_weekdays", "subject_b"):
        setattr(copy, name, getattr(source, name))
    copy.ab_sample_size = step.ab_sample_size
    session.flush()
    return copy


def _sequence(session: Session, step: Step) -> Sequence:
    return session.get_one(Sequence, step.sequence_id)
