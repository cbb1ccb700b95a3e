"""The dashboard's answer to "how are we doing?": people, sends, bookings, each sequence, and warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import (
    Conversion,
    Send,
    Sequence,
    SequenceRollup,
    StatRollup,
    Step,
    StepVersion,
    Subscriber,
    Suppression,
)
from campaigns.statuses import SendStatus, SequenceStatus, SubscriberStatus

COMPLAINT_LINES = (0.001, 0.003)
"""Gmail and Yahoo: keep spam complaints under 0.1% of mail, and never reach 0.3%."""

BOUNCE_LINE = 0.02
"""Bounces above 2% of mail sent suggest a list with stale or mistyped addresses."""

RATE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class SequenceLine:
    """One sequence's funnel, in one line."""

    id: int
    name: str
    status: str
    is_default: bool
    signed_up: int
    confirmed: int
    sent: int
    opened_human: int
    clicked_human: int
    booked: int


@dataclass(frozen=True)
class Overview:
    """Everything the dashboard shows above the alerts."""

    people: dict[str, int]  # active, pending, unsubscribed, suppressed
    sent_today: int
    sent_week: int
    booked_30_days: int
    sequences: list[SequenceLine]
    unknown_sends: int
    complaint_rate: float | None
    bounce_rate: float | None
    warnings: list[str]


def overview(session: Session, now: datetime) -> Overview:
    """Read the dashboard's numbers as of `now`."""
    statuses = dict(
        session.execute(select(Subscriber.status, func.count()).group_by(Subscriber.status)).all()
    )
    people = {str(s): int(statuses.get(s, 0)) for s in (SubscriberStatus.ACTIVE, SubscriberStatus.PENDING)}
    people["unsubscribed"] = int(statuses.get(SubscriberStatus.UNSUBSCRIBED, 0))
    people["suppressed"] = int(session.scalar(select(func.count()).select_from(Suppression)) or 0)
    today = now.date()
    recent = _metrics_since(session, today - timedelta(days=RATE_WINDOW.days - 1))
    sent_30 = recent.get("sent", 0)
    complaint = recent.get("complained", 0) / sent_30 if sent_30 else None
    bounce = recent.get("bounced", 0) / sent_30 if sent_30 else None
    unknown = int(session.scalar(select(func.count()).where(Send.status == SendStatus.UNKNOWN)) or 0)
    booked = session.scalar(select(func.count()).where(Conversion.occurred_at >= now - timedelta(days=30)))
    return Overview(
        people=people,
        sent_today=_metrics_since(session, today).get("sent", 0),
        sent_week=_metrics_since(session, today - timedelta(days=6)).get("sent", 0),
        booked_30_days=int(booked or 0),
        sequences=sequence_lines(session),
        unknown_sends=unknown,
        complaint_rate=complaint,
        bounce_rate=bounce,
        warnings=_warnings(complaint, bounce, unknown),
    )


def sequence_lines(session: Session) -> list[SequenceLine]:
    """Return every sequence not archived with its funnel, from the rollups."""
    sequences = session.scalars(
        select(Sequence).where(Sequence.status != SequenceStatus.ARCHIVED).order_by(Sequence.name)
    ).all()
    sends = session.execute(
        select(Step.sequence_id, StatRollup.metric, func.sum(StatRollup.count))
        .join(StepVersion, StepVersion.id == StatRollup.step_version_id)
        .join(Step, Step.id == StepVersion.step_id)
        .where(StatRollup.metric.in_(("opened_human", "clicked_human", "converted")))
        .group_by(Step.sequence_id, StatRollup.metric)
    ).all()
    first_sends = _first_step_sends(session)
    joined = session.execute(
        select(SequenceRollup.sequence_id, SequenceRollup.metric, func.sum(SequenceRollup.count)).group_by(
            SequenceRollup.sequence_id, SequenceRollup.metric
        )
    ).all()
    counts = {(s, m): int(n or 0) for s, m, n in [*sends, *joined]}
    return [
        SequenceLine(
            s.id,
            s.name,
            str(s.status),
            s.is_default,
            counts.get((s.id, "signed_up"), 0),
            counts.get((s.id, "confirmed"), 0),
            first_sends.get(s.id, 0),
            counts.get((s.id, "opened_human"), 0),
            counts.get((s.id, "clicked_human"), 0),
            counts.get((s.id, "converted"), 0),
        )
        for s in sequences
    ]


def _first_step_sends(session: Session) -> dict[int, int]:
    """Return how many people each sequence has mailed at all: the sends of its first email."""
    first = select(Step.sequence_id, func.min(Step.position).label("position")).where(
        Step.deleted_at.is_(None)
    )
    firsts = first.group_by(Step.sequence_id).subquery()
    rows = session.execute(
        select(Step.sequence_id, func.sum(StatRollup.count))
        .join(firsts, (firsts.c.sequence_id == Step.sequence_id) & (firsts.c.position == Step.position))
        .join(StepVersion, StepVersion.step_id == Step.id)
        .join(StatRollup, StatRollup.step_version_id == StepVersion.id)
        .where(StatRollup.metric == "sent")
        .group_by(Step.sequence_id)
    )
    return {sequence_id: int(count or 0) for sequence_id, count in rows}


def _metrics_since(session: Session, first_day: date) -> dict[str, int]:
    rows = session.execute(
        select(StatRollup.metric, func.sum(StatRollup.count))
        .where(StatRollup.day >= first_day)
        .group_by(StatRollup.metric)
    )
    return {metric: int(count or 0) for metric, count in rows}


def _warnings(complaint: float | None, bounce: float | None, unknown: int) -> list[str]:
    warnings = []
    if complaint is not None and complaint >= COMPLAINT_LINES[1]:
        warnings.append(
            f"Spam complaints are {complaint:.2%} of mail sent in 30 days: at 0.3% Gmail and Yahoo "
            "start rejecting the clinic's mail. Pause and look at what people are complaining about."
        )
    elif complaint is not None and complaint >= COMPLAINT_LINES[0] * 0.8:
        warnings.append(
            f"Spam complaints are {complaint:.2%} of mail sent in 30 days, near the 0.1% Gmail and "
            "Yahoo ask senders to stay under."
        )
    if bounce is not None and bounce >= BOUNCE_LINE:
        warnings.append(
            f"Bounces are {bounce:.2%} of mail sent in 30 days, above 2%: check how addresses are collected."
        )
    if unknown:
        warnings.append(
            f"{unknown} emails may or may not have gone out (the provider did not answer): "
            "`flask --app wsgi sends list` shows them and `sends settle` decides."
        )
    return warnings
