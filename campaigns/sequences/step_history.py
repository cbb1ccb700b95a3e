"""A step's published versions: the list, a line-by-line diff of any two, and restoring one as the draft."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.errors import ValidationError
from campaigns.models import Step, StepVersion


@dataclass(frozen=True)
class Published:
    """One published version of a step, both subjects together."""

    version: int
    published_at: datetime
    published_by_id: int | None
    subject: str
    subject_b: str | None
    preheader: str
    body: str

    @property
    def fields(self) -> dict[str, str]:
        """The version's text fields, as the diff compares them."""
        return {
            "Subject": self.subject,
            "Subject B": self.subject_b or "",
            "Preheader": self.preheader,
            "Body": self.body,
        }


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: " " same, "-" only in the older, "+" only in the newer."""

    mark: str
    text: str


def history(session: Session, step: Step) -> list[Published]:
    """Return the step's published versions, newest first."""
    rows = session.scalars(
        select(StepVersion).where(StepVersion.step_id == step.id).order_by(StepVersion.version.desc())
    )
    found: dict[int, Published] = {}
    seconds: dict[int, str] = {}
    for row in rows:
        if row.variant == "b":
            seconds[row.version] = row.subject
            continue
        found[row.version] = Published(
            row.version, row.published_at, row.published_by_id, row.subject, None, row.preheader, row.body
        )
    return [Published(**{**p.__dict__, "subject_b": seconds.get(p.version)}) for p in found.values()]


def version_of(session: Session, step: Step, number: int) -> Published:
    """Return one published version of the step, or raise ValidationError."""
    for published in history(session, step):
        if published.version == number:
            return published
    raise ValidationError(f"This email has no version {number}.")


def diff(older: Published, newer: Published) -> dict[str, list[DiffLine]]:
    """Compare two versions field by field; a field that did not change is left out."""
    changes = {}
    for name, before in older.fields.items():
        after = newer.fields[name]
        if before == after:
            continue
        lines = difflib.ndiff(before.splitlines(), after.splitlines())
        changes[name] = [DiffLine(line[0], line[2:]) for line in lines if line[0] in " -+"]
    return changes


def restore_as_draft(step: Step, published: Published, now: datetime) -> None:
    """Make a published version the step's draft again; nothing sends until it is published."""
    step.subject, step.subject_b = published.subject, published.subject_b
    step.preheader, step.body, step.updated_at = published.preheader, published.body, now
