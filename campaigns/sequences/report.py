"""The stats page of one sequence: its funnel, a daily series, and versions and subjects side by side.

Everything comes from rollups (`campaigns.stats` and the sequence's signup rollups), so reading
the page costs the same at a million subscribers as at ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import SequenceRollup
from campaigns.stats import Counts, SequenceStats, sequence_stats

DAILY_SERIES = (
    ("sent", "Sends"),
    ("opened_human", "Human opens"),
    ("clicked_human", "Human clicks"),
    ("converted", "Bookings"),
    ("unsubscribed", "Unsubscribes"),
)
"""The metrics the daily chart draws, with their labels."""

PERIODS = (30, 90)


@dataclass(frozen=True)
class Stage:
    """One stage of the funnel: how many got this far, and what share of the stage before."""

    label: str
    count: int
    rate: float | None


@dataclass(frozen=True)
class Report:
    """Everything the stats page shows."""

    stats: SequenceStats
    signed_up: int
    confirmed: int
    funnel: list[Stage]
    days: list[date]
    daily: dict[str, list[int]]  # metric -> one count per day in `days`


def sequence_report(session: Session, sequence_id: int, today: date, period: int = 30) -> Report:
    """Read one sequence's report for the `period` days up to `today`."""
    stats = sequence_stats(session, sequence_id)
    signups = dict(
        session.execute(
            select(SequenceRollup.metric, func.sum(SequenceRollup.count))
            .where(SequenceRollup.sequence_id == sequence_id)
            .group_by(SequenceRollup.metric)
        ).all()
    )
    signed_up, confirmed = int(signups.get("signed_up") or 0), int(signups.get("confirmed") or 0)
    days = [today - timedelta(days=n) for n in range(period - 1, -1, -1)]
    daily = {metric: [stats.daily.get(day, Counts())[metric] for day in days] for metric, _ in DAILY_SERIES}
    return Report(stats, signed_up, confirmed, funnel(stats, signed_up, confirmed), days, daily)


def funnel(stats: SequenceStats, signed_up: int, confirmed: int) -> list[Stage]:
    """Return the stages from signup to booking, each with its rate of the stage before."""
    stages = [
        Stage("Signed up", signed_up, None),
        Stage("Confirmed", confirmed, _share(confirmed, signed_up)),
    ]
    previous = confirmed
    for step in stats.steps:
        c = step.counts
        stages += [
            Stage(f"Email {step.position}: sent", c["sent"], _share(c["sent"], previous)),
            Stage(f"Email {step.position}: delivered", c["delivered"], c.rate("delivered")),
            Stage(f"Email {step.position}: human opens", c["opened_human"], c.rate("opened_human")),
            Stage(f"Email {step.position}: human clicks", c["clicked_human"], c.rate("clicked_human")),
        ]
        previous = c["sent"]
    booked = stats.total["converted"]
    stages.append(Stage("Booked a consultation", booked, _share(booked, confirmed)))
    return stages


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
