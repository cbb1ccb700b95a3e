"""The suppression list by hand: search it, add addresses one by one or pasted in bulk, remove one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campaigns.addresses import normalize_email
from campaigns.errors import ValidationError
from campaigns.exits import suppress
from campaigns.models import Subscriber, Suppression
from campaigns.people.actions import clean_reason
from campaigns.people.audit import record_action
from campaigns.statuses import SubscriberStatus, SuppressionReason

PAGE_SIZE = 50
MAX_PASTED = 5000
"""At most this many addresses in one paste."""


@dataclass(frozen=True)
class Added:
    """What a paste did: how many went on the list, which were there already, which were not addresses."""

    added: int
    already: list[str]
    invalid: list[str]


def listing(reason: str = "", text: str = "") -> Select[Suppression]:
    """Return the statement for suppressions with `reason` and part of an address, newest first."""
    statement = select(Suppression).order_by(Suppression.id.desc())
    if reason:
        if reason not in {r.value for r in SuppressionReason}:
            raise ValidationError(f"There is no reason '{reason[:40]}'.")
        statement = statement.where(Suppression.reason == reason)
    if text.strip():
        escaped = text.strip().lower()[:254].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Suppression.email.like(f"%{escaped}%", escape="\\"))
    return statement


def page_of(
    session: Session, statement: Select[Suppression], after: int | None
) -> tuple[list[Suppression], int | None]:
    """Return one keyset page of the listing and the keyset of the next."""
    if after is not None:
        statement = statement.where(Suppression.id < after)
    rows = list(session.scalars(statement.limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None


def add_pasted(session: Session, pasted: str, note: str, actor_id: int | None, now: datetime) -> Added:
    """Suppress every address in `pasted` (one per line, or separated by commas or spaces)."""
    reason = clean_reason(note)
    candidates = [part for part in re.split(r"[\s,;]+", pasted) if part]
    if not candidates:
        raise ValidationError("Paste at least one email address.")
    if len(candidates) > MAX_PASTED:
        raise ValidationError(f"Paste at most {MAX_PASTED} addresses at a time.")
    valid, invalid = [], []
    for raw in candidates:
        try:
            valid.append(normalize_email(raw))
        except ValidationError:
            invalid.append(raw[:100])
    listed = set(session.scalars(select(Suppression.email).where(Suppression.email.in_(set(valid)))))
    fresh = sorted(set(valid) - listed)
    for email in fresh:
        suppress(session, email, SuppressionReason.MANUAL, now, note=reason)
    record_action(session, actor_id, "suppression.add", None, now, count=len(fresh), reason=reason)
    return Added(len(fresh), sorted(e for e in listed if e), invalid)


def remove(
    session: Session, suppression: Suppression, note: str, actor_id: int | None, now: datetime
) -> None:
    """Take an address off the list; its owner must still sign up and confirm before any email."""
    reason = clean_reason(note)
    person = (
        session.scalar(select(Subscriber).where(Subscriber.email == suppression.email))
        if suppression.email
        else None
    )
    if person is not None and person.status != SubscriberStatus.PENDING:
        person.status = SubscriberStatus.PENDING  # not mailed again until they confirm afresh
    record_action(
        session,
        actor_id,
        "suppression.remove",
        f"subscriber:{person.id}" if person else None,
        now,
        reason=reason,
        was=str(suppression.reason),
        address=suppression.email or "(erased)",
    )
    session.delete(suppression)
