"""The send path's data in plain rows: a batch read in one query, outcomes written set-based.

Delivering a batch of 1,000 emails through ORM objects spent most of its time building and
flushing 2,000 objects one by one. Here a batch is read into `QueuedSend` rows with one Core
query, and what happened is written with one UPDATE per kind of change (`campaigns.set_sql`), so the
statements a batch costs stay the same whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from campaigns.models import Enrollment, Send, Sequence, Step, Subscriber, Suppression
from campaigns.scheduling import SendWindow
from campaigns.set_sql import among, update_rows
from campaigns.statuses import EnrollmentStatus, SendStatus, SequenceStatus, SubscriberStatus

SENDS = cast(Table, Send.__table__)
ENROLLMENTS = cast(Table, Enrollment.__table__)


class QueuedSend(NamedTuple):
    """A queued send with everything its checks and its email need (a row, not an ORM object)."""

    id: int
    attempts: int
    step_version_id: int | None
    enrollment_id: int
    enrollment_status: EnrollmentStatus
    enrolled_at: datetime
    last_sent_at: datetime | None
    next_step_id: int | None  # the step itself, unless a reorder chose what follows it meanwhile
    sequence_id: int
    sequence_status: SequenceStatus
    sequence_slug: str
    step_id: int
    step_position: int
    step_deleted_at: datetime | None
    window_start_hour: int
    window_end_hour: int
    window_weekdays: int
    subscriber_id: int
    email: str
    first_name: str | None
    timezone: str | None
    subscriber_status: SubscriberStatus
    paused_until: datetime | None

    @property
    def window(self) -> SendWindow:
        """Return the step's send window."""
        return SendWindow(self.window_start_hour, self.window_end_hour, self.window_weekdays)


class SendChange(NamedTuple):
    """What to write to one send after the provider answered (or composing failed)."""

    id: int
    status: SendStatus
    error: str | None = None
    sent_at: datetime | None = None
    provider_message_id: str | None = None
    retry_at: datetime | None = None


class EnrollmentChange(NamedTuple):
    """Where one enrollment points next; a completed one points nowhere and has ended."""

    id: int
    status: EnrollmentStatus
    next_step_id: int | None
    next_send_at: datetime | None
    last_sent_at: datetime | None
    ended_at: datetime | None


def load_queued(session: Session, send_ids: list[int], now: datetime) -> list[QueuedSend]:
    """Read the queued, due sends among `send_ids` with their enrollment, sequence, step and person."""
    query = (
        select(
            Send.id,
            Send.attempts,
            Send.step_version_id,
            Enrollment.id,
            Enrollment.status,
            Enrollment.enrolled_at,
            Enrollment.last_sent_at,
            Enrollment.next_step_id,
            Sequence.id,
            Sequence.status,
            Sequence.slug,
            Step.id,
            Step.position,
            Step.deleted_at,
            Step.window_start_hour,
            Step.window_end_hour,
            Step.window_weekdays,
            Subscriber.id,
            Subscriber.email,
            Subscriber.first_name,
            Subscriber.timezone,
            Subscriber.status,
            Subscriber.paused_until,
        )
        .join(Enrollment, Enrollment.id == Send.enrollment_id)
        .join(Sequence, Sequence.id == Enrollment.sequence_id)
        .join(Step, Step.id == Send.step_id)
        .join(Subscriber, Subscriber.id == Send.subscriber_id)
        .where(among(session, Send.id, send_ids), Send.status == SendStatus.QUEUED)
        .where((Send.retry_at.is_(None)) | (Send.retry_at <= now))
        .order_by(Send.id)
    )
    return [QueuedSend._make(row) for row in session.execute(query)]


def next_steps(session: Session, enrollment_ids: list[int]) -> dict[int, int | None]:
    """Return each enrollment's next step now; a reorder may have chosen it while the provider was called."""
    rows = session.execute(
        select(Enrollment.id, Enrollment.next_step_id).where(among(session, Enrollment.id, enrollment_ids))
    )
    return {enrollment_id: step_id for enrollment_id, step_id in rows}


def suppressed_among(session: Session, emails: Iterable[str]) -> set[str]:
    """Return which of these addresses are on the suppression list."""
    return set(
        session.scalars(select(Suppression.email).where(among(session, Suppression.email, set(emails))))
    )


def claim(session: Session, send_ids: list[int], now: datetime) -> set[int]:
    """Mark these sends `sending` if they are still queued; return the ids this caller won."""
    if not send_ids:
        return set()
    return set(
        session.scalars(
            update(Send)
            .where(among(session, Send.id, send_ids), Send.status == SendStatus.QUEUED)
            .values(status=SendStatus.SENDING, attempts=Send.attempts + 1, attempted_at=now, retry_at=None)
            .returning(Send.id)
            .execution_options(synchronize_session=False)
        )
    )


def release(session: Session, send_ids: list[int]) -> None:
    """Put claimed sends back in the queue, as if never attempted (nothing reached the provider)."""
    session.execute(
        update(SENDS)
        .where(among(session, SENDS.c.id, send_ids))
        .values(status=SendStatus.QUEUED, attempts=SENDS.c.attempts - 1)
    )


def skip(session: Session, reasons: dict[int, str]) -> None:
    """Mark sends skipped, each with its reason."""
    rows = [{"id": send_id, "status": SendStatus.SKIPPED, "error": why} for send_id, why in reasons.items()]
    update_rows(session, SENDS, rows)


def reschedule(session: Session, due: dict[int, datetime]) -> None:
    """Let sends wait, queued, until their new due time."""
    update_rows(session, SENDS, [{"id": send_id, "retry_at": at} for send_id, at in due.items()])


def record_sends(session: Session, changes: list[SendChange]) -> None:
    """Write each send's outcome, in one statement; a send settled meanwhile by hand keeps its state.

    A send taken for lost while its worker was cut off (`unknown`) takes the outcome it really had.
    """
    held = (SENDS.c.status == SendStatus.SENDING) | (SENDS.c.status == SendStatus.UNKNOWN)
    update_rows(session, SENDS, [change._asdict() for change in changes], where=[held])


def move_enrollments(session: Session, changes: list[EnrollmentChange]) -> None:
    """Point enrollments at their next step, in one statement; one that exited meanwhile stays so."""
    still_active = ENROLLMENTS.c.status == EnrollmentStatus.ACTIVE
    update_rows(session, ENROLLMENTS, [change._asdict() for change in changes], where=[still_active])
