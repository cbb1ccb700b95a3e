"""One person's history, oldest first: consent, confirmation, every email and what came of it,
pauses, leaving, the booking, and what staff did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.exits import PAUSE
from campaigns.models import (
    AuditLog,
    ConsentRecord,
    Conversion,
    Enrollment,
    Event,
    Link,
    Send,
    Sequence,
    Step,
    StepVersion,
    Subscriber,
    Suppression,
    User,
)
from campaigns.people.audit import subscriber_target

MOST_RECENT = 500
"""How many sends and events the timeline shows at most (the newest)."""


@dataclass(frozen=True)
class Entry:
    """One moment in a person's history."""

    at: datetime
    kind: str  # consent | confirmation | send | open | click | provider | pause | unsubscribe | ...
    title: str
    detail: str = ""
    automated: bool = False
    facts: dict[str, str] = field(default_factory=dict)


def timeline(session: Session, subscriber: Subscriber) -> list[Entry]:
    """Return everything that happened to `subscriber`, oldest first."""
    entries = [
        *_consents(session, subscriber),
        *_enrollments(session, subscriber),
        *_sends(session, subscriber),
        *_events(session, subscriber),
        *_leaving(session, subscriber),
        *_bookings(session, subscriber),
        *_actions(session, subscriber),
    ]
    return sorted(entries, key=lambda entry: entry.at)


def _consents(session: Session, subscriber: Subscriber) -> list[Entry]:
    entries = []
    for record in session.scalars(
        select(ConsentRecord).where(ConsentRecord.subscriber_id == subscriber.id).order_by(ConsentRecord.id)
    ):
        facts = {"source": record.source, "version": record.consent_version}
        for name in ("page", "ip_address", "user_agent", "attested_by"):
            if getattr(record, name):
                facts[name.replace("_", " ")] = str(getattr(record, name))
        if record.consent_given_at:
            facts["consent given"] = record.consent_given_at.isoformat()
        entries.append(
            Entry(
                record.created_at, "consent", f"Signed up ({record.source})", record.consent_text, facts=facts
            )
        )
        if record.confirmation_sent_at:
            entries.append(Entry(record.confirmation_sent_at, "confirmation", "Confirmation email sent"))
        elif record.confirmation_due_at and not record.confirmed_at:
            entries.append(
                Entry(record.confirmation_due_at, "confirmation", "Confirmation email due (paced)")
            )
        if record.confirmed_at:
            entries.append(Entry(record.confirmed_at, "confirmation", "Confirmed the subscription"))
    return entries


def _enrollments(session: Session, subscriber: Subscriber) -> list[Entry]:
    entries = []
    rows = session.execute(
        select(Enrollment, Sequence.name)
        .join(Sequence, Sequence.id == Enrollment.sequence_id)
        .where(Enrollment.subscriber_id == subscriber.id)
    )
    for enrollment, name in rows:
        entries.append(Entry(enrollment.enrolled_at, "enrollment", f"Enrolled in {name}"))
        if enrollment.ended_at:
            how = f"Left {name}: {enrollment.exit_reason}" if enrollment.exit_reason else f"Completed {name}"
            entries.append(Entry(enrollment.ended_at, "enrollment", how))
    return entries


def _sends(session: Session, subscriber: Subscriber) -> list[Entry]:
    rows = session.execute(
        select(Send, func.coalesce(StepVersion.subject, Step.subject))
        .join(Step, Step.id == Send.step_id)
        .outerjoin(StepVersion, StepVersion.id == Send.step_version_id)
        .where(Send.subscriber_id == subscriber.id)
        .order_by(Send.id.desc())
        .limit(MOST_RECENT)
    )
    return [
        Entry(send.sent_at or send.queued_at, "send", f"Email “{subject}”: {send.status}", send.error or "")
        for send, subject in rows
    ]


def _events(session: Session, subscriber: Subscriber) -> list[Entry]:
    rows = session.execute(
        select(Event, Link.url, func.coalesce(StepVersion.subject, Step.subject))
        .outerjoin(Link, Link.id == Event.link_id)
        .outerjoin(Send, Send.id == Event.send_id)
        .outerjoin(Step, Step.id == Send.step_id)
        .outerjoin(StepVersion, StepVersion.id == Send.step_version_id)
        .where(Event.subscriber_id == subscriber.id)
        .order_by(Event.id.desc())
        .limit(MOST_RECENT)
    )
    entries = []
    for event, url, subject in rows:
        what = {"open": "Opened", "click": "Clicked"}.get(event.kind, event.kind.replace("provider.", ""))
        title = f"{what} “{subject}”" if subject else what
        reason = str(event.data.get("automated") or "") if event.automated else ""
        detail = " · ".join(part for part in (url or "", f"automated: {reason}" if reason else "") if part)
        kind = event.kind if event.kind in ("open", "click") else "provider"
        entries.append(Entry(event.occurred_at, kind, title, detail, automated=event.automated))
    return entries


def _leaving(session: Session, subscriber: Subscriber) -> list[Entry]:
    entries = []
    if subscriber.paused_until:
        until = subscriber.paused_until
        entries.append(Entry(until - PAUSE, "pause", f"Paused emails until {until:%Y-%m-%d}"))
    if subscriber.unsubscribed_at:
        entries.append(Entry(subscriber.unsubscribed_at, "unsubscribe", "Unsubscribed from everything"))
    suppression = session.scalar(select(Suppression).where(Suppression.email == subscriber.email))
    if suppression:
        title = f"On the suppression list: {suppression.reason}"
        entries.append(Entry(suppression.created_at, "suppression", title, suppression.note or ""))
    return entries


def _bookings(session: Session, subscriber: Subscriber) -> list[Entry]:
    rows = session.scalars(select(Conversion).where(Conversion.subscriber_id == subscriber.id))
    return [Entry(c.occurred_at, "booking", f"Booked a consultation ({c.source})") for c in rows]


def _actions(session: Session, subscriber: Subscriber) -> list[Entry]:
    rows = session.execute(
        select(AuditLog, User.email)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.target == subscriber_target(subscriber.id))
        .order_by(AuditLog.id)
    )
    entries = []
    for entry, who in rows:
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(entry.detail.items()))
        entries.append(
            Entry(entry.occurred_at, "action", f"{entry.action} by {who or 'the command line'}", detail)
        )
    return entries
