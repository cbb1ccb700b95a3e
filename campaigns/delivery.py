"""Deliver a batch of claimed sends: check each again, hand them over, record what happened.

The provider is called outside any transaction: sends are marked `sending` and committed
first, so a job that runs twice finds them taken, and a worker that dies mid-call leaves rows
that say so; the planner turns those into `unknown`, never into a second email.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from jinja2 import TemplateError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from campaigns.alerts import raise_outage, sending_paused
from campaigns.composing import Composer, Recipient, Sender, content_for
from campaigns.enrollment import advance, live_steps, skip_step, window_of
from campaigns.errors import ProviderOutage
from campaigns.links import ensure_links
from campaigns.models import Enrollment, Send, Step, StepVersion, Suppression
from campaigns.outgoing import OutgoingEmail, SendOutcome
from campaigns.providers import Provider
from campaigns.retries import MAX_ATTEMPTS, retry_at
from campaigns.rollups import bump
from campaigns.scheduling import next_allowed_moment
from campaigns.statuses import EnrollmentStatus, SendStatus, SequenceStatus, SubscriberStatus

PAUSED_RECHECK = timedelta(days=1)
"""A send of a paused sequence waits this long; resuming the sequence makes it due at once."""


def deliver_batch(
    session: Session, send_ids: list[int], sender: Sender, provider: Provider, now: datetime
) -> Counter[str]:
    """Deliver the still-queued sends among `send_ids`; count how each ended."""
    counts: Counter[str] = Counter()
    if sending_paused(session):
        counts["waiting"] = len(send_ids)  # an outage alert is open: they wait for "resume"
        return counts
    sends = _load(session, send_ids, now)
    batch = _Batch(session, sends)
    ready = [send for send in sends if _still_wanted(batch, send, sender, now, counts)]
    session.commit()
    ready = _claim(session, ready, now)
    if not ready:
        return counts
    emails, ready = _compose(session, ready, sender, now, counts)
    try:
        outcomes = provider.send_many(emails)
    except ProviderOutage as outage:
        raise_outage(session, str(outage), now)
        for send in ready:  # nothing was sent: they wait, queued, for the outage to be resolved
            send.status, send.attempts = SendStatus.QUEUED, send.attempts - 1
        session.commit()
        counts["waiting"] += len(ready)
        return counts
    _record(batch, ready, outcomes, sender, now, counts)
    session.commit()
    return counts


class _Batch:
    """What checking a batch needs, loaded once: suppressed addresses, each sequence's live steps."""

    def __init__(self, session: Session, sends: list[Send]) -> None:
        self.session = session
        emails = {send.subscriber.email for send in sends}
        self.suppressed = set(session.scalars(select(Suppression.email).where(Suppression.email.in_(emails))))
        self._steps: dict[int, list[Step]] = {}

    def live_steps(self, sequence_id: int) -> list[Step]:
        """Return a sequence's live steps, read once per batch."""
        if sequence_id not in self._steps:
            self._steps[sequence_id] = live_steps(self.session, sequence_id)
        return self._steps[sequence_id]


def _load(session: Session, send_ids: list[int], now: datetime) -> list[Send]:
    """Load the queued sends that are due, with their enrollment, sequence and step."""
    query = (
        select(Send)
        .where(Send.id.in_(send_ids), Send.status == SendStatus.QUEUED)
        .where((Send.retry_at.is_(None)) | (Send.retry_at <= now))
        .options(
            selectinload(Send.enrollment).selectinload(Enrollment.sequence),
            selectinload(Send.step),
            selectinload(Send.subscriber),
        )
        .order_by(Send.id)
    )
    return list(session.scalars(query))


def _still_wanted(batch: _Batch, send: Send, sender: Sender, now: datetime, counts: Counter[str]) -> bool:
    """Check the send again just before sending; skip it, or let it wait, if not."""
    zone = ZoneInfo(send.subscriber.timezone or sender.fallback_zone)
    reason = _reason_to_skip(batch, send)
    if reason:
        send.status, send.error = SendStatus.SKIPPED, reason
        if send.step.deleted_at is not None and send.enrollment.status == EnrollmentStatus.ACTIVE:
            skip_step(send.enrollment, send.step, batch.live_steps(send.enrollment.sequence_id), zone, now)
        counts["skipped"] += 1
        return False
    opening = next_allowed_moment(now, window_of(send.step), zone)
    paused = send.enrollment.sequence.status != SequenceStatus.ACTIVE
    holiday = send.subscriber.paused_until
    if holiday is not None and holiday > now:  # the subscriber asked for a 30-day pause
        opening = max(opening, next_allowed_moment(holiday, window_of(send.step), zone))
    if paused or opening > now:  # it waits, queued, keeping its place and its history
        send.retry_at = now + PAUSED_RECHECK if paused else opening
        counts["rescheduled"] += 1
        return False
    return True


def _reason_to_skip(batch: _Batch, send: Send) -> str | None:
    if send.subscriber.status != SubscriberStatus.ACTIVE:
        return f"subscriber is {send.subscriber.status}"
    if send.subscriber.email in batch.suppressed:
        return "address is suppressed"
    if send.enrollment.status != EnrollmentStatus.ACTIVE:
        return f"enrollment is {send.enrollment.status}"
    if send.step.deleted_at is not None:
        return "the step was deleted"
    if send.step_version_id is None:
        return "step has no published version"
    return None


def _claim(session: Session, sends: list[Send], now: datetime) -> list[Send]:
    """Mark sends `sending`, atomically; return those this job won."""
    if not sends:
        return []
    won = set(
        session.scalars(
            update(Send)
            .where(Send.id.in_([send.id for send in sends]), Send.status == SendStatus.QUEUED)
            .values(status=SendStatus.SENDING, attempts=Send.attempts + 1, attempted_at=now, retry_at=None)
            .returning(Send.id)
            .execution_options(synchronize_session=False)
        )
    )
    session.commit()
    claimed = [send for send in sends if send.id in won]
    for send in claimed:  # what the UPDATE wrote, without reading every row back
        set_committed_value(send, "status", SendStatus.SENDING)
        set_committed_value(send, "attempts", send.attempts + 1)
        set_committed_value(send, "attempted_at", now)
        set_committed_value(send, "retry_at", None)
    return claimed


def _compose(
    session: Session, sends: list[Send], sender: Sender, now: datetime, counts: Counter[str]
) -> tuple[list[OutgoingEmail], list[Send]]:
    """Build each send's email; a send whose content does not render fails on its own."""
    version_ids = {s.step_version_id for s in sends if s.step_version_id}
    versions = session.scalars(
        select(StepVersion)
        .where(StepVersion.id.in_(version_ids))
        .options(selectinload(StepVersion.step).selectinload(Step.sequence))
    )
    contents = {v.id: content_for(v.step, v) for v in versions}
    composer = Composer(
        sender, contents, now, lambda version_id, urls: ensure_links(session, version_id, urls)
    )
    emails, composed = [], []
    for send in sends:
        subscriber = send.subscriber
        sequence = send.enrollment.sequence
        assert send.step_version_id is not None
        recipient = Recipient(
            send.id,
            subscriber.id,
            subscriber.email,
            subscriber.first_name,
            send.step_version_id,
            (f"sequence-{sequence.slug}", f"step-{send.step_id}"),
        )
        try:
            emails.append(composer.email_for(recipient))
        except TemplateError as exc:
            send.status, send.error = SendStatus.FAILED, f"the content does not render: {exc}"[:2000]
            counts["failed"] += 1
            continue
        composed.append(send)
    return emails, composed


def _record(
    batch: _Batch,
    sends: list[Send],
    outcomes: list[SendOutcome],
    sender: Sender,
    now: datetime,
    counts: Counter[str],
) -> None:
    """Store each outcome and move each subscriber whose email went out to their next step."""
    sent: Counter[tuple[int, date, str]] = Counter()
    for send, outcome in zip(sends, outcomes, strict=True):
        send.error = outcome.error
        if outcome.status == "sent":
            send.status, send.sent_at, send.provider_message_id = SendStatus.SENT, now, outcome.message_id
            sent[(send.step_version_id or 0, now.date(), "sent")] += 1
            zone = ZoneInfo(send.subscriber.timezone or sender.fallback_zone)
            advance(send.enrollment, send.step, batch.live_steps(send.enrollment.sequence_id), zone, now)
        elif outcome.status == "retry" and send.attempts < MAX_ATTEMPTS:
            send.status, send.retry_at = (
                SendStatus.QUEUED,
                retry_at(send.attempts, now, outcome.retry_after_s),
            )
        elif outcome.status == "unknown":
            send.status = SendStatus.UNKNOWN
        else:
            send.status = SendStatus.FAILED
        counts[str(send.status) if send.status != SendStatus.QUEUED else "retrying"] += 1
    bump(batch.session, sent)
