"""Opens and clicks: read the signed token, find what it stands for, record the hit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from campaigns.models import Event, Link, Send
from campaigns.tokens import InvalidToken, unsign

MAX_TOKEN_LENGTH = 300


@dataclass(frozen=True)
class Click:
    """A click on a tracked link: which send, which link, where it goes."""

    send: Send
    link: Link


def _ids(secret_key: str, purpose: str, token: str, count: int) -> list[int]:
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken()
    payload = unsign(secret_key, purpose, token)
    if not (isinstance(payload, list) and len(payload) == count and all(type(v) is int for v in payload)):
        raise InvalidToken()
    return payload


def resolve_click(session: Session, secret_key: str, token: str) -> Click:
    """Return what a click token stands for; the link must belong to the send's own email."""
    send_id, link_id = _ids(secret_key, "click", token, 2)
    send, link = session.get(Send, send_id), session.get(Link, link_id)
    if send is None or link is None or link.step_version_id != send.step_version_id:
        raise InvalidToken()
    return Click(send, link)


def resolve_open(session: Session, secret_key: str, token: str) -> Send:
    """Return the send an open pixel token stands for."""
    [send_id] = _ids(secret_key, "open", token, 1)
    send = session.get(Send, send_id)
    if send is None:
        raise InvalidToken()
    return send


def record_hit(
    session: Session, kind: str, send: Send, now: datetime, link_id: int | None = None, **data: str
) -> Event:
    """Record an open or a click on a send."""
    event = Event(
        send_id=send.id,
        subscriber_id=send.subscriber_id,
        link_id=link_id,
        kind=kind,
        occurred_at=now,
        data=data,
    )
    session.add(event)
    return event
