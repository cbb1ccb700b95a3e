"""Which cron process leads: a lease in the database, with a fencing token per term.

Any number of `rq cron` processes may run. Each names itself on the jobs it enqueues; such a job
takes or renews the lease for its cron process and does its work only if that process leads.
When the leader dies its jobs stop coming, its lease runs out after `LEASE_TERM`, and the next
job of another cron process takes it over under the next token. Each transaction of the
leader's work first checks its token (`check_fence`) and holds the lease row while it runs, so a
takeover waits for it to end and a process that was paused past its term and resumes cannot
commit anything on the lease it lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.errors import LeaseLost
from campaigns.models import Lease

CRON = "cron"
"""The role the recurring jobs (planner, tracking drain) run under."""

LEASE_TERM = timedelta(seconds=20)
"""How long a lease lasts unless renewed; the leader's jobs renew it every 10 s (the drain's interval).

A standby takes over with its next drain job after the term runs out, and plans at once: within
20 s + 10 s of the leader's death."""


def lead(session: Session, role: str, holder: str, now: datetime, term: timedelta = LEASE_TERM) -> int | None:
    """Take or renew `role`'s lease for `holder`; return the fencing token, or None if another leads."""
    token = session.scalar(
        update(Lease)
        .where(Lease.role == role, (Lease.holder == holder) | (Lease.expires_at <= now))
        .values(
            holder=holder,
            expires_at=now + term,
            token=case((Lease.holder == holder, Lease.token), else_=Lease.token + 1),
        )
        .returning(Lease.token)
        .execution_options(synchronize_session=False)
    )
    if token is not None:
        return int(token)
    if session.scalar(select(Lease.role).where(Lease.role == role)) is not None:
        return None
    try:  # the first lease ever: whoever inserts it first leads
        with session.begin_nested():
            session.add(Lease(role=role, holder=holder, token=1, expires_at=now + term))
    except IntegrityError:
        return None
    return 1


def check_fence(session: Session, role: str, token: int) -> None:
    """Raise `LeaseLost` unless `token` is still the lease's; hold the lease row until commit."""
    current = session.scalar(select(Lease.token).where(Lease.role == role).with_for_update(read=True))
    if current != token:
        raise LeaseLost(f"the {role} lease moved on to token {current}; this work ran under {token}")


def leader(session: Session, role: str, now: datetime) -> str | None:
    """Return who holds `role`'s lease as of `now`, or None when nobody does."""
    lease = session.get(Lease, role)
    if lease is None or lease.expires_at <= now:
        return None
    return lease.holder
