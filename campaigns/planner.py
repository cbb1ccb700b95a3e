"""Claim due enrollments in keyset batches and create their send rows in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from campaigns.models import Enrollment, Send, Sequence
from campaigns.sequences.step_order import already_had, skip_had
from campaigns.sequences.subject_tests import NewestVersions, newest_versions
from campaigns.set_sql import among, insert_rows
from campaigns.statuses import EnrollmentStatus, SendStatus, SequenceStatus

BATCH_SIZE = 1000


class Due(NamedTuple):
    """An enrollment whose next step is due."""

    enrollment_id: int
    step_id: int
    subscriber_id: int


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
        select(Enrollment.id, Enrollment.next_step_id, Enrollment.subscriber_id)
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
    rows = [
        Due(enrollment, step, subscriber) for enrollment, step, subscriber in session.execute(due) if step
    ]
    if not rows:
        return ClaimedBatch([], after_id)
    last_id = rows[-1].enrollment_id
    versions = newest_versions(session, {row.step_id for row in rows})
    # A step moved behind someone who had it already: they skip it.
    had = already_had(session, {row.enrollment_id: row.step_id for row in rows})
    skip_had(session, had, now)
    rows = [row for row in rows if row.enrollment_id not in had]
    # A step skipped earlier (the subscriber had left, then came back) reuses its row.
    reused = _requeue_skipped(session, rows, versions, now)
    fresh = [
        {
            "enrollment_id": enrollment_id,
            "step_id": step_id,
            "step_version_id": versions.for_subscriber(step_id, subscriber_id),
            "subscriber_id": subscriber_id,
            "status": SendStatus.QUEUED,
            "queued_at": now,
            "attempts": 0,
        }
        for enrollment_id, step_id, subscriber_id in rows
        if enrollment_id not in reused
    ]
    created = insert_rows(session, cast(Table, Send.__table__), fresh)
    session.execute(
        update(Enrollment)
        .where(among(session, Enrollment.id, [row.enrollment_id for row in rows]))
        .values(next_send_at=None)
        .execution_options(synchronize_session=False)
    )
    return ClaimedBatch(sorted(created + list(reused.values())), last_id)


def _requeue_skipped(
    session: Session, rows: list[Due], versions: NewestVersions, now: datetime
) -> dict[int, int]:
    """Queue again the skipped sends of these enrollments' next steps; map enrollment id -> send id."""
    next_step = {enrollment_id: step_id for enrollment_id, step_id, _ in rows}
    subscriber = {row.enrollment_id: row.subscriber_id for row in rows}
    skipped = session.execute(
        select(Send.id, Send.enrollment_id, Send.step_id).where(
            among(session, Send.enrollment_id, next_step), Send.status == SendStatus.SKIPPED
        )
    ).all()
    reused = {
        enrollment_id: send_id
        for send_id, enrollment_id, step_id in skipped
        if next_step[enrollment_id] == step_id
    }
    for enrollment_id, send_id in reused.items():
        session.execute(
            update(Send)
            .where(Send.id == send_id)
            .values(
                status=SendStatus.QUEUED,
                queued_at=now,
                error=None,
                step_version_id=versions.for_subscriber(next_step[enrollment_id], subscriber[enrollment_id]),
            )
        )
    return reused
