"""What the signup tests share: posting the form, reading the confirmation link from the outbox."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import ConsentRecord, SignupAttempt, Subscriber
from campaigns.signup import take_attempt
from tests.factories import outbox_messages

FORM = {"email": "ada@example.com", "first_name": "Ada", "consent": "yes", "timezone": "Europe/Paris"}
JSON = {"email": "ada@example.com", "first_name": "Ada", "consent": True, "timezone": "Europe/Paris"}


def post_form(client, **changes: str):
    return client.post("/subscribe", data={**FORM, **changes})


def post_json(client, **changes: object):
    return client.post("/subscribe", json={**JSON, **changes})


def decide_signups(db: Session) -> None:
    """Decide every recorded signup as its job does (the job also sends the confirmation email)."""
    db.expire_all()
    for attempt_id in db.scalars(select(SignupAttempt.id).order_by(SignupAttempt.id)).all():
        take_attempt(db, attempt_id)
    db.commit()


def counts(db: Session) -> tuple[int, int]:
    """How many subscribers and consent records exist once every signup is decided."""
    decide_signups(db)
    return db.scalar(select(func.count(Subscriber.id))), db.scalar(select(func.count(ConsentRecord.id)))


def confirmation_links(outbox: Path) -> list[str]:
    """Every confirmation link in the outbox, oldest email first."""
    links = []
    for message in outbox_messages(outbox):
        text = message.get_body(preferencelist=("plain",)).get_content()
        links += re.findall(r"https?://\S+/confirm/[\w.-]+", text)
    return links


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]
