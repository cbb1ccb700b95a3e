"""When each recurring job last succeeded, so health can tell a stopped planner or drain.

The planner and the tracking drain record every run here. A job that has not succeeded for
`STALE_AFTER` is reported by `/healthz`, `flask --app wsgi check` and the admin dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Heartbeat

PLANNER = "planner"
TRACKING_DRAIN = "tracking_drain"
JOBS = (PLANNER, TRACKING_DRAIN)
"""The recurring jobs whose health is watched."""

STALE_AFTER = timedelta(minutes=5)
"""A job that has not succeeded for this long is reported as not working."""

ERROR_LENGTH = 500


@dataclass(frozen=True)
class JobHealth:
    """How one recurring job is doing as of a moment."""

    name: str
    succeeded_at: datetime | None
    failed_at: datetime | None
    error: str | None
    age: timedelta | None  # since the last success; None if it never succeeded

    @property
    def stale(self) -> bool:
        """Tell whether the job has not succeeded for too long (or ever)."""
        return self.age is None or self.age > STALE_AFTER

    @property
    def last_error(self) -> str | None:
        """Return the error of a failure since the last success, if any."""
        if self.failed_at is None or (self.succeeded_at and self.succeeded_at >= self.failed_at):
            return None
        return self.error

    @property
    def problem(self) -> str | None:
        """Say what is wrong, for a person, or None."""
        if not self.stale:
            return None
        label = self.name.replace("_", " ")
        since = "has never succeeded" if self.age is None else f"has not succeeded for {_minutes(self.age)}"
        reason = f" (last error: {self.last_error})" if self.last_error else ""
        return f"the {label} {since}{reason}"


def _row(session: Session, name: str) -> Heartbeat:
    row = session.get(Heartbeat, name)
    if row is None:
        row = Heartbeat(name=name)
        session.add(row)
    return row


def record_success(session: Session, name: str, now: datetime) -> None:
    """Note that a recurring job finished its work at `now`."""
    _row(session, name).succeeded_at = now


def record_failure(session: Session, name: str, error: str, now: datetime) -> None:
    """Note that a recurring job failed at `now`, and why."""
    row = _row(session, name)
    row.failed_at, row.error = now, error[:ERROR_LENGTH]


def job_health(session: Session, now: datetime) -> list[JobHealth]:
    """Return the health of every watched job as of `now`."""
    rows = {row.name: row for row in session.scalars(select(Heartbeat).where(Heartbeat.name.in_(JOBS)))}
    found = []
    for name in JOBS:
        row = rows.get(name)
        succeeded = row.succeeded_at if row else None
        found.append(
            JobHealth(
                name=name,
                succeeded_at=succeeded,
                failed_at=row.failed_at if row else None,
                error=row.error if row else None,
                age=None if succeeded is None else max(now - succeeded, timedelta(0)),
            )
        )
    return found


def _minutes(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
