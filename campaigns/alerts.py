"""Alerts for the administrator; an open provider outage pauses every send until resolved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.models import Alert, Send
from campaigns.statuses import SendStatus

PROVIDER_OUTAGE = "provider_outage"


def open_alerts(session: Session) -> list[Alert]:
    """Return the alerts nobody has resolved yet, newest first."""
    return list(session.scalars(select(Alert).where(Alert.resolved_at.is_(None)).order_by(Alert.id.desc())))


def sending_paused(session: Session) -> Alert | None:
    """Return the open provider outage that pauses sending, if any."""
    return session.scalar(
        select(Alert).where(Alert.kind == PROVIDER_OUTAGE, Alert.resolved_at.is_(None)).limit(1)
    )


def raise_outage(session: Session, message: str, now: datetime) -> Alert:
    """Pause sending with an alert saying why; one open outage alert at a time."""
    alert = sending_paused(session)
    if alert is None:
        alert = Alert(kind=PROVIDER_OUTAGE, message=message[:2000], opened_at=now)
        session.add(alert)
        session.flush()
    return alert


def resume_sending(session: Session, user_id: int | None, now: datetime) -> int:
    """Resolve the outage and make every waiting send due again; return how many wait."""
    alert = sending_paused(session)
    if alert is not None:
        alert.resolved_at, alert.resolved_by_id = now, user_id
    waiting = session.execute(
        update(Send)
        .where(Send.status == SendStatus.QUEUED)
        .values(retry_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(waiting.rowcount or 0)  # type: ignore[attr-defined]
