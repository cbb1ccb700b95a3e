"""Deliver a batch of claimed sends: check each again, claim, compose, hand over, record.

The provider is called outside any transaction: sends are marked `sending` and committed
first, so a job that runs twice finds them taken, and a worker that dies mid-call leaves rows
that say so; the planner turns those into `unknown`, never into a second email. The batch is
read and written as plain rows (`campaigns.send_rows`), in statements that do not grow with it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from jinja2 import TemplateError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from campaigns import send_rows
from campaigns.alerts import raise_outage, sending_paused
from campaigns.composing import Composer, Recipient, Sender, content_for
from campaigns.enrollment import Pointer, live_steps, pointer_after
from campaigns.errors import ProviderOutage
from campaigns.links import ensure_links
from campaigns.models import Step, StepVersion
from campaigns.outgoing import OutgoingEmail, SendOutcome
from campaigns.providers import Provider
from campaigns.retries import MAX_ATTEMPTS, retry_at
from campaigns.rollups import bump
from campaigns.scheduling import next_allowed_moment
from campaigns.send_rows import EnrollmentChange, QueuedSend, SendChange
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
    batch = _Batch(session, send_rows.load_queued(session, send_ids, now), sender.fallback_zone)
    ready = _check(batch, now, counts)
    session.commit()
    won = send_rows.claim(session, [send.id for send in ready], now)
    session.commit()
    ready = [send._replace(attempts=send.attempts + 1) for send in ready if send.id in won]
    if not ready:
        return counts
    emails, ready = _compose(batch, ready, sender, now, counts)
    try:
        outcomes = provider.send_many(emails)
    except ProviderOutage as outage:
        raise_outage(session, str(outage), now)
        send_rows.release(session, [send.id for send in ready])  # nothing was sent: they wait
        session.commit()
        counts["waiting"] += len(ready)
        return counts
    _record(batch, ready, outcomes, now, counts)
    session.commit()
    return counts


class _Batch:
    """What checking a batch needs, read once: its rows, suppressed addresses, live steps per sequence."""

    def __init__(self, session: Session, sends: list[QueuedSend], fallback_zone: str) -> None:
        self.session = session
        self.sends = sends
        self.fallback_zone = fallback_zone
        self.suppressed = send_rows.suppressed_among(session, (send.email for send in sends))
        self._steps: dict[int, list[Step]] = {}
        self._pointers: dict[tuple[int, int, int | None, str, datetime], Pointer] = {}
        self.failed: list[SendChange] = []  # sends whose content did not render

    def live_steps(self, sequence_id: int) -> list[Step]:
        """Return a sequence's live steps, read once per batch."""
        if sequence_id not in self._steps:
            self._steps[sequence_id] = live_steps(self.session, sequence_id)
        return self._steps[sequence_id]

    def zone(self, send: QueuedSend) -> ZoneInfo:
        """Return the subscriber's time zone, or the clinic's."""
        return ZoneInfo(send.timezone or self.fallback_zone)

    def move_past(
        self, send: QueuedSend, base: datetime, sent_at: datetime | None, now: datetime
    ) -> EnrollmentChange:
        """Return where the send's enrollment points once its step is behind it."""
        zone = send.timezone or self.fallback_zone
        key = (send.sequence_id, send.step_id, send.next_step_id, zone, base)  # a batch shares a few
        if key not in self._pointers:
            steps = self.live_steps(send.sequence_id)
            self._pointers[key] = pointer_after(
                send.step_id, send.step_position, steps, ZoneInfo(zone), base, send.next_step_id
            )
        pointer = self._pointers[key]
        if pointer.next_step_id is None:
            return EnrollmentChange(send.enrollment_id, EnrollmentStatus.COMPLETED, None, None, sent_at, now)
        return EnrollmentChange(send.enrollment_id, EnrollmentStatus.ACTIVE, *pointer, sent_at, None)


def _check(batch: _Batch, now: datetime, counts: Counter[str]) -> list[QueuedSend]:
    """Check every send again just before sending; skip it, or let it wait; return the rest."""
    skipped: dict[int, str] = {}
    waiting: dict[int, datetime] = {}
    moved: list[EnrollmentChange] = []
    ready = []
    for send in batch.sends:
        reason = _reason_to_skip(batch, send)
        if reason:
            skipped[send.id] = reason
            if send.step_deleted_at is not None and send.enrollment_status == EnrollmentStatus.ACTIVE:
                base = send.last_sent_at or send.enrolled_at  # the delay counts from the last send
                moved.append(batch.move_past(send, base, send.last_sent_at, now))
            continue
        opening = _opening(batch, send, now)
        if opening is not None:
            waiting[send.id] = opening
            continue
        ready.append(send)
    send_rows.skip(batch.session, skipped)
    send_rows.reschedule(batch.session, waiting)
    send_rows.move_enrollments(batch.session, moved)
    for name, count in (("skipped", len(skipped)), ("rescheduled", len(waiting))):
        if count:
            counts[name] += count
    return ready


def _opening(batch: _Batch, send: QueuedSend, now: datetime) -> datetime | None:
    """Return when a send that may not go now should be tried again, or None if it may go."""
    zone = batch.zone(send)
    opening = next_allowed_moment(now, send.window, zone)
    holiday = send.paused_until
    if holiday is not None and holiday > now:  # the subscriber asked for a 30-day pause
        opening = max(opening, next_allowed_moment(holiday, send.window, zone))
    if send.sequence_status != SequenceStatus.ACTIVE:  # it waits, queued, keeping its place
        return now + PAUSED_RECHECK
    return opening if opening > now else None


def _reason_to_skip(batch: _Batch, send: QueuedSend) -> str | None:
    if send.subscriber_status != SubscriberStatus.ACTIVE:
        return f"subscriber is {send.subscriber_status}"
    if send.email in batch.suppressed:
        return "address is suppressed"
    if send.enrollment_status != EnrollmentStatus.ACTIVE:
        return f"enrollment is {send.enrollment_status}"
    if send.step_deleted_at is not None:
        return "the step was deleted"
    if send.step_version_id is None:
        return "step has no published version"
    return None


def _compose(
    batch: _Batch, sends: list[QueuedSend], sender: Sender, now: datetime, counts: Counter[str]
) -> tuple[list[OutgoingEmail], list[QueuedSend]]:
    """Build each send's email; a send whose content does not render fails on its own."""
    session = batch.session
    versions = session.scalars(
        select(StepVersion)
        .where(StepVersion.id.in_({s.step_version_id for s in sends}))
        .options(selectinload(StepVersion.step).selectinload(Step.sequence))
    )
    contents = {v.id: content_for(v.step, v) for v in versions}
    composer = Composer(
        sender, contents, now, lambda version_id, urls: ensure_links(session, version_id, urls)
    )
    emails, composed = [], []
    for send in sends:
        assert send.step_version_id is not None
        recipient = Recipient(
            send.id,
            send.subscriber_id,
            send.email,
            send.first_name,
            send.step_version_id,
            (f"sequence-{send.sequence_slug}", f"step-{send.step_id}"),
        )
        try:
            emails.append(composer.email_for(recipient))
        except TemplateError as exc:
            error = f"the content does not render: {exc}"[:2000]
            batch.failed.append(SendChange(send.id, SendStatus.FAILED, error))
            counts["failed"] += 1
            continue
        composed.append(send)
    return emails, composed


def _record(
    batch: _Batch, sends: list[QueuedSend], outcomes: list[SendOutcome], now: datetime, counts: Counter[str]
) -> None:
    """Store each outcome and move each subscriber whose email went out to their next step."""
    changes, moved = list(batch.failed), []
    sent: Counter[tuple[int, date, str]] = Counter()
    pointed = send_rows.next_steps(batch.session, [send.enrollment_id for send in sends])
    for queued, outcome in zip(sends, outcomes, strict=True):
        send = queued._replace(next_step_id=pointed.get(queued.enrollment_id))
        change = _outcome(send, outcome, now)
        changes.append(change)
        if change.status == SendStatus.SENT:
            sent[(send.step_version_id or 0, now.date(), "sent")] += 1
            moved.append(batch.move_past(send, now, now, now))
        counts[str(change.status) if change.status != SendStatus.QUEUED else "retrying"] += 1
    send_rows.record_sends(batch.session, changes)
    send_rows.move_enrollments(batch.session, moved)
    bump(batch.session, sent)


def _outcome(send: QueuedSend, outcome: SendOutcome, now: datetime) -> SendChange:
    """Return what the provider's answer means for the send."""
    if outcome.status == "sent":
        return SendChange(send.id, SendStatus.SENT, outcome.error, now, outcome.message_id)
    if outcome.status == "retry" and send.attempts < MAX_ATTEMPTS:
        due = retry_at(send.attempts, now, outcome.retry_after_s)
        return SendChange(send.id, SendStatus.QUEUED, outcome.error, retry_at=due)
    if outcome.status == "unknown":
        return SendChange(send.id, SendStatus.UNKNOWN, outcome.error)
    return SendChange(send.id, SendStatus.FAILED, outcome.error)
