"""Make, describe, duplicate and retire sequences; each has its own page at /s/<slug>."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.enrollment import live_steps
from campaigns.errors import ValidationError
from campaigns.models import Sequence, Step
from campaigns.sequence_editing import set_status
from campaigns.statuses import SequenceStatus

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME, MAX_SLUG, MAX_HEADING, MAX_TEXT = 120, 80, 200, 4000
PUBLIC = (SequenceStatus.ACTIVE, SequenceStatus.PAUSED)
"""Sequences people may join: a paused one takes signups and sends once resumed."""

ALLOWED_MOVES = {
    SequenceStatus.ACTIVE: (SequenceStatus.DRAFT,),  # start sending
    SequenceStatus.PAUSED: (SequenceStatus.ACTIVE,),
    SequenceStatus.ARCHIVED: (SequenceStatus.DRAFT, SequenceStatus.ACTIVE, SequenceStatus.PAUSED),
}
"""Which statuses a sequence may move to, from which."""


@dataclass(frozen=True)
class Details:
    """What a marketer sets on a sequence."""

    name: str
    slug: str
    description: str = ""
    landing_heading: str = ""
    landing_text: str = ""


def slug_from(name: str) -> str:
    """Suggest a slug for a name: lower case words joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:MAX_SLUG].strip("-")


def problems_with(session: Session, details: Details, sequence_id: int | None = None) -> dict[str, str]:
    """Return a message for each field that is not acceptable."""
    problems = {}
    if not details.name.strip() or len(details.name) > MAX_NAME:
        problems["name"] = f"Give the sequence a name of 1 to {MAX_NAME} characters."
    if not SLUG.match(details.slug) or len(details.slug) > MAX_SLUG:
        problems["slug"] = "The address may use lower-case letters, digits and single hyphens (at most 80)."
    else:
        taken = session.scalar(select(Sequence.id).where(Sequence.slug == details.slug))
        if taken is not None and taken != sequence_id:
            problems["slug"] = "Another sequence already uses this address."
    if len(details.landing_heading) > MAX_HEADING:
        problems["landing_heading"] = f"The heading may be at most {MAX_HEADING} characters."
    for name in ("description", "landing_text"):
        if len(getattr(details, name)) > MAX_TEXT:
            problems[name] = f"This text may be at most {MAX_TEXT} characters."
    return problems


def create_sequence(session: Session, details: Details, now: datetime) -> Sequence:
    """Create an empty draft sequence; it takes no signups until it is started."""
    _check(session, details)
    sequence = Sequence(status=SequenceStatus.DRAFT, is_default=False, created_at=now, updated_at=now)
    _apply(sequence, details)
    session.add(sequence)
    session.flush()
    return sequence


def duplicate_sequence(session: Session, source: Sequence, details: Details, now: datetime) -> Sequence:
    """Create a draft copy of `source`: each live step's draft, unpublished, in the same order."""
    copy = create_sequence(session, details, now)
    live = [s for s in source.steps if s.deleted_at is None]
    for position, step in enumerate(live, start=1):
        session.add(copy_of(step, copy.id, position, now))
    session.flush()
    return copy


def copy_of(step: Step, sequence_id: int, position: int, now: datetime) -> Step:
    """Return an unpublished copy of a step's draft, with its timing and subject test."""
    fields = (
        "delay_minutes", "window_start_hour", "window_end_hour", "window_weekdays", "subject",
        "preheader", "body", "subject_b", "ab_sample_size",
    )  # fmt: skip
    values = {name: getattr(step, name) for name in fields}
    return Step(sequence_id=sequence_id, position=position, created_at=now, updated_at=now, **values)


def update_details(session: Session, sequence: Sequence, details: Details, now: datetime) -> None:
    """Rename, re-describe or re-address a sequence."""
    _check(session, details, sequence.id)
    _apply(sequence, details)
    sequence.updated_at = now


def change_status(session: Session, sequence: Sequence, status: SequenceStatus, now: datetime) -> None:
    """Start, pause, resume or archive a sequence; refuse a move that makes no sense."""
    if sequence.status not in ALLOWED_MOVES.get(status, ()):
        raise ValidationError(f"A {sequence.status} sequence cannot become {status}.")
    if status == SequenceStatus.ARCHIVED and sequence.is_default:
        raise ValidationError("The default sequence takes the main page's signups: it cannot be archived.")
    if sequence.status == SequenceStatus.DRAFT and not live_steps(session, sequence.id):
        raise ValidationError("Publish at least one email before starting the sequence.")
    set_status(session, sequence, status, now)


def joinable(session: Session, slug: str) -> Sequence | None:
    """Return the sequence with this slug if people may sign up for it."""
    sequence = session.scalar(select(Sequence).where(Sequence.slug == slug))
    return sequence if sequence is not None and sequence.status in PUBLIC else None


def _check(session: Session, details: Details, sequence_id: int | None = None) -> None:
    problems = problems_with(session, details, sequence_id)
    if problems:
        raise ValidationError(" ".join(problems.values()))


def _apply(sequence: Sequence, details: Details) -> None:
    sequence.name, sequence.slug = details.name.strip(), details.slug
    sequence.description = details.description.strip()
    sequence.landing_heading = details.landing_heading.strip()
    sequence.landing_text = details.landing_text.strip().replace("\r\n", "\n")
