"""A sequence's numbers, read from rollups kept as events arrive: fast at millions of events.

One function, `sequence_stats`, serves the command line, the admin pages and the API alike.
Opens and clicks come two ways: all of them, and only those that look human (privacy proxies
and link scanners are left out).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import Conversion, Enrollment, Link, LinkRollup, Sequence, StatRollup, Step, StepVersion
from campaigns.rollups import METRICS


@dataclass
class Counts:
    """The counts of one step, version, day or sequence, with the rates marketers read."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))

    def __getitem__(self, metric: str) -> int:
        return self.values.get(metric, 0)

    def add(self, metric: str, count: int) -> None:
        """Add to one metric."""
        self.values[metric] = self.values.get(metric, 0) + count

    def rate(self, metric: str, of: str = "sent") -> float | None:
        """Return metric / of, or None when nothing was counted yet."""
        return self[metric] / self[of] if self[of] else None

    @property
    def click_to_open(self) -> float | None:
        """Human clicks over human opens."""
        return self.rate("clicked_human", "opened_human")


@dataclass
class StepStats:
    """One step's numbers, overall and per published version."""

    step_id: int
    position: int
    subject: str
    counts: Counts = field(default_factory=Counts)
    versions: dict[int, Counts] = field(default_factory=dict)
    variants: dict[tuple[int, str], Counts] = field(default_factory=dict)  # (version, "a" | "b")
    subjects: dict[tuple[int, str], str] = field(default_factory=dict)  # what each variant's subject was


@dataclass
class SequenceStats:
    """Everything the dashboard shows for one sequence."""

    sequence_id: int
    name: str
    total: Counts
    steps: list[StepStats]
    links: list[tuple[str, int, int]]  # url, clicks, human clicks
    daily: dict[date, Counts]
    median_time_to_convert: timedelta | None


def sequence_stats(session: Session, sequence_id: int) -> SequenceStats:
    """Return a sequence's numbers per step, per version and per day, with its links and conversions."""
    sequence = session.get_one(Sequence, sequence_id)
    steps = {s.id: StepStats(s.id, s.position, s.subject) for s in sequence.steps if s.deleted_at is None}
    total, daily = Counts(), defaultdict[date, Counts](Counts)
    per_version = (StepVersion.step_id, StepVersion.version, StepVersion.variant, StepVersion.subject)
    keys = (*per_version, StatRollup.day, StatRollup.metric)
    rows = session.execute(
        select(*keys, func.sum(StatRollup.count))
        .join(StepVersion, StepVersion.id == StatRollup.step_version_id)
        .join(Step, Step.id == StepVersion.step_id)
        .where(Step.sequence_id == sequence_id)
        .group_by(*keys)
    )
    for step_id, version, variant, subject, day, metric, count in rows:
        total.add(metric, count)
        daily[day].add(metric, count)
        if step_id in steps:
            steps[step_id].counts.add(metric, count)
            steps[step_id].versions.setdefault(version, Counts()).add(metric, count)
            steps[step_id].variants.setdefault((version, variant), Counts()).add(metric, count)
            steps[step_id].subjects[(version, variant)] = subject
    return SequenceStats(
        sequence_id=sequence.id,
        name=sequence.name,
        total=total,
        steps=sorted(steps.values(), key=lambda s: s.position),
        links=_links(session, sequence_id),
        daily=dict(sorted(daily.items())),
        median_time_to_convert=_median_time_to_convert(session, sequence_id),
    )


def _links(session: Session, sequence_id: int) -> list[tuple[str, int, int]]:
    rows = session.execute(
        select(Link.url, func.sum(LinkRollup.clicks), func.sum(LinkRollup.human_clicks))
        .join(LinkRollup, LinkRollup.link_id == Link.id)
        .join(StepVersion, StepVersion.id == Link.step_version_id)
        .join(Step, Step.id == StepVersion.step_id)
        .where(Step.sequence_id == sequence_id)
        .group_by(Link.url)
        .order_by(func.sum(LinkRollup.human_clicks).desc())
    )
    return [(url, int(clicks or 0), int(human or 0)) for url, clicks, human in rows]


def _median_time_to_convert(session: Session, sequence_id: int) -> timedelta | None:
    rows = session.execute(
        select(Conversion.occurred_at, Enrollment.enrolled_at)
        .join(Enrollment, (Enrollment.subscriber_id == Conversion.subscriber_id))
        .where(Conversion.sequence_id == sequence_id, Enrollment.sequence_id == sequence_id)
    ).all()
    spans = [(converted - enrolled).total_seconds() for converted, enrolled in rows]
    return timedelta(seconds=statistics.median(spans)) if spans else None
