"""What an unsubscribe link does: leave everything at once, or pause for 30 days."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy.orm import Session

from campaigns.exits import pause_emails, unsubscribe
from campaigns.models import Send, Subscriber
from campaigns.rollups import bump
from campaigns.statuses import SubscriberStatus
from campaigns.tokens import InvalidToken, Keys, unsign_ids


def subscriber_of_link(session: Session, secret_key: Keys, token: str) -> tuple[Subscriber, int | None]:
    """Return the subscriber an unsubscribe link names, and the send it came in, or raise InvalidToken."""
    subscriber_id, send_id = unsign_ids(secret_key, "unsubscribe", token, 2)
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise InvalidToken()
    return subscriber, send_id


def leave(session: Session, subscriber: Subscriber, send_id: int | None, now: datetime) -> bool:
    """Unsubscribe from everything at once; count it against the email it came from. False if already out."""
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return False
    unsubscribe(session, subscriber, now)
    count_against_send(session, send_id, "unsubscribed", now.date())
    return True


def pause(subscriber: Subscriber, now: datetime) -> datetime:
    """Pause every email for 30 days."""
    return pause_emails(subscriber, now)


def count_against_send(session: Session, send_id: int | None, metric: str, day: date) -> None:
    """Add one to `metric` for the step version of the send, if there is one."""
    send = session.get(Send, send_id) if send_id else None
    if send is not None and send.step_version_id is not None:
        bump(session, Counter({(send.step_version_id, day, metric): 1}))
