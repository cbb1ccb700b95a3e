"""Claim due enrollments in keyset batches and create their send rows in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import Enrollment, Send, Sequence, StepVersion
from campaigns.statuses import EnrollmentStatus, SendStatus, SequenceStatus

BATCH_SIZE = 1000


@dataclass(frozen=True)
class ClaimedBatch:
    """The sends one claim created, and the enrollment id the next batch starts after."""

    send_ids: list[int]
    last_enrollment_id: int


def claim_due_sends(
    session: Session, now: datetime, after_id: int = 0, limit: int = BATCH_SIZE
) -> ClaimedBatch:
    """Claim up to `limit` due enrollments with ids above `after_id` and create their sends.

    A claimed enrollment's `next_send_at` is cleared, so no other planner claims it again;
    on PostgreSQL, rows another planner holds are skipped rather than waited for.
    """
    due = (
        select(Enrollment)
        .join(Sequence, Sequence.id == Enrollment.sequence_id)
        .where(
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.next_send_at <= now,
            Enrollment.next_step_id.is_not(None),
            Enrollment.id > after_id,
            Sequence.status == SequenceStatus.ACTIVE,
        )
        .order_by(Enrollment.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Enrollment)
    )
    enrollments = list(session.scalars(due))
    versions = _latest_versions(session, {e.next_step_id for e in enrollments if e.next_step_id})
    skipped = _skipped_sends(session, [e.id for e in enrollments])
    claimed = []
    for enrollment in enrollments:
        assert enrollment.next_step_id is not None
        # A step skipped earlier (the subscriber had left, then came back) reuses its row.
        send = skipped.get((enrollment.id, enrollment.next_step_id)) or Send(
            enrollment_id=enrollment.id, step_id=enrollment.next_step_id
        )
        send.step_version_id = versions.get(enrollment.next_step_id)
        send.subscriber_id = enrollment.subscriber_id
        send.status, send.queued_at, send.error = SendStatus.QUEUED, now, None
        enrollment.next_send_at = None
        claimed.append(send)
    session.add_all(claimed)
    session.flush()
    last_id = enrollments[-1].id if enrollments else after_id
    return ClaimedBatch([send.id for send in claimed], last_id)


def _skipped_sends(session: Session, enrollment_ids: list[int]) -> dict[tuple[int, int], Send]:
    """Return the skipped sends of these enrollments, by (enrollment, step)."""
    if not enrollment_ids:
        return {}
    rows = session.scalars(
        select(Send).where(Send.enrollment_id.in_(enrollment_ids), Send.status == SendStatus.SKIPPED)
    )
    return {(send.enrollment_id, send.step_id): send for send in rows}


def _latest_versions(session: Session, step_ids: set[int]) -> dict[int, int]:
    """Map each step id to the id of its newest published version."""
    if not step_ids:
        return {}
    newest = (
        select(StepVersion.step_id, func.max(StepVersion.version).label("version"))
        .where(StepVersion.step_id.in_(step_ids))
        .group_by(StepVersion.step_id)
        .subquery()
    )
    rows = session.execute(
        select(StepVersion.step_id, StepVersion.id).join(
            newest,
            (StepVersion.step_id == newest.c.step_id) & (StepVersion.version == newest.c.version),
        )
    )
    return {step_id: version_id for step_id, version_id in rows}
