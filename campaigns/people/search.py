"""Find people: by part of an address or name, status, sequence and signup source, newest first.

Pages are keysets on the id (`WHERE id < :after ORDER BY id DESC`), so the hundredth page costs
what the first does; PostgreSQL answers the text part from trigram indexes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from campaigns.addresses import has_forbidden_characters
from campaigns.errors import ValidationError
from campaigns.models import Enrollment, Sequence, Subscriber
from campaigns.signup import CHANNELS
from campaigns.statuses import SubscriberStatus

PAGE_SIZE = 50
MAX_TERM_LENGTH = 254


@dataclass(frozen=True)
class PeopleQuery:
    """What the admin searches for; every part is optional."""

    text: str = ""
    status: SubscriberStatus | None = None
    sequence_id: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of people, and the keyset of the next page (None on the last)."""

    people: list[Subscriber]
    next_after: int | None


def people_query(
    session: Session, text: str = "", status: str = "", sequence: str = "", source: str = ""
) -> PeopleQuery:
    """Build a query from what was typed or chosen, or raise ValidationError saying what is wrong."""
    text = text.strip()
    if len(text) > MAX_TERM_LENGTH or has_forbidden_characters(text):
        raise ValidationError(f"Search for at most {MAX_TERM_LENGTH} characters of plain text.")
    if status and status not in {s.value for s in SubscriberStatus}:
        raise ValidationError(f"There is no status '{status[:40]}'.")
    if source and source not in CHANNELS:
        raise ValidationError(f"There is no signup source '{source[:40]}'.")
    sequence_id = None
    if sequence:
        sequence_id = session.scalar(select(Sequence.id).where(Sequence.slug == sequence))
        if sequence_id is None:
            raise ValidationError(f"There is no sequence '{sequence[:80]}'.")
    return PeopleQuery(text, SubscriberStatus(status) if status else None, sequence_id, source or None)


def matching(query: PeopleQuery) -> Select[Subscriber]:
    """Return the statement for everyone matching `query`, newest first."""
    statement = select(Subscriber).order_by(Subscriber.id.desc())
    if query.text:
        pattern = "%" + query.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                Subscriber.email.ilike(pattern, escape="\\"),
                Subscriber.first_name.ilike(pattern, escape="\\"),
            )
        )
    if query.status:
        statement = statement.where(Subscriber.status == query.status)
    else:  # an erased person is a placeholder with nothing to find, unless asked for
        statement = statement.where(Subscriber.status != SubscriberStatus.ERASED)
    if query.source:
        statement = statement.where(Subscriber.signup_source == query.source)
    if query.sequence_id is not None:
        statement = statement.where(
            exists().where(
                Enrollment.subscriber_id == Subscriber.id, Enrollment.sequence_id == query.sequence_id
            )
        )
    return statement


def search(session: Session, query: PeopleQuery, after: int | None = None, size: int = PAGE_SIZE) -> Page:
    """Return one page of people matching `query`, after the keyset `after`."""
    statement = matching(query)
    if after is not None:
        statement = statement.where(Subscriber.id < after)
    people = list(session.scalars(statement.limit(size + 1)))
    more = len(people) > size
    return Page(people[:size], people[size - 1].id if more else None)


def every_match(session: Session, query: PeopleQuery, batch: int = 2000) -> Iterator[list[Subscriber]]:
    """Yield everyone matching `query` in keyset batches, so memory stays flat at any size."""
    after: int | None = None
    while True:
        page = search(session, query, after, batch)
        if page.people:
            yield page.people
        session.expunge_all()  # what was yielded is done with; keep the identity map small
        if page.next_after is None:
            return
        after = page.next_after
