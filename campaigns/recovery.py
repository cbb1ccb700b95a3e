"""Find sends that lost their way: retries now due, jobs Redis lost, workers that died mid-call.

A worker renews `attempted_at` of the sends it holds every `CLAIM_RENEWAL` while it delivers
them (`renew_claims`), in the database, so a Redis restart does not hide a live worker: a send
`sending` whose claim has not been renewed for `SENDING_TIMEOUT` lost its worker and becomes
`unknown`. A queued send whose job no queue or worker holds any more (asked through `lost_jobs`,
which reads the job registries) is handed on again after `ORPHAN_AFTER`. Without such a
question (in-process delivery) only `QUEUE_TIMEOUT` tells a lost job.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, String, select, update
from sqlalchemy.orm import Session

from campaigns.models import Send
from campaigns.set_sql import among
from campaigns.statuses import SendStatus

CLAIM_RENEWAL = timedelta(seconds=10)
"""How often a delivering worker renews the sends it holds."""

SENDING_TIMEOUT = timedelta(seconds=30)
"""A send `sending` whose claim was not renewed for this long (three renewals) lost its worker mid-call."""

ORPHAN_AFTER = timedelta(seconds=30)
"""A queued send whose job is gone is handed on again once queued this long (its job id is set by then)."""

QUEUE_TIMEOUT = timedelta(minutes=15)
"""Without the job registries to ask, a send queued this long without an attempt lost its job."""

STUCK_MESSAGE = "the worker stopped while handing this email to the provider; it may have gone out"

LostJobs = Callable[[Collection[str]], set[str]]
"""Given job ids, return those no queue or worker holds any more."""


def settle_stuck(session: Session, now: datetime) -> int:
    """Mark sends whose worker died mid-call `unknown`: they may have gone out, so never resend."""
    result = session.execute(
        update(Send)
        .where(Send.status == SendStatus.SENDING, Send.attempted_at <= now - SENDING_TIMEOUT)
        .values(status=SendStatus.UNKNOWN, error=STUCK_MESSAGE)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def renew_claims(session: Session, send_ids: list[int], now: datetime) -> None:
    """Tell the planner that the worker delivering these sends is still alive."""
    session.execute(
        update(Send)
        .where(among(session, Send.id, send_ids), Send.status == SendStatus.SENDING)
        .values(attempted_at=now)
        .execution_options(synchronize_session=False)
    )


def note_job(session: Session, send_ids: list[int], job_id: str) -> None:
    """Record which queued job carries these sends, so a lost job can be told."""
    session.execute(
        update(Send)
        .where(among(session, Send.id, send_ids))
        .values(job_id=job_id)
        .execution_options(synchronize_session=False)
    )


def requeue_due(session: Session, now: datetime, limit: int, lost_jobs: LostJobs | None = None) -> list[int]:
    """Return queued sends to hand to workers again: retries now due, and jobs that were lost."""
    due = (Send.retry_at <= now) | (Send.retry_at.is_(None) & _lost(session, now, lost_jobs))
    ids = list(
        session.scalars(
            select(Send.id).where(Send.status == SendStatus.QUEUED, due).order_by(Send.id).limit(limit)
        )
    )
    if ids:
        session.execute(
            update(Send)
            .where(among(session, Send.id, ids))
            .values(queued_at=now, retry_at=None, job_id=None)
            .execution_options(synchronize_session=False)
        )
    return ids


def _lost(session: Session, now: datetime, lost_jobs: LostJobs | None) -> ColumnElement[bool]:
    """Return the condition that tells a queued send whose job is gone."""
    if lost_jobs is None:
        return Send.queued_at <= now - QUEUE_TIMEOUT
    old = Send.queued_at <= now - ORPHAN_AFTER
    carried: set[str] = set(
        session.scalars(
            select(Send.job_id.cast(String))
            .where(Send.status == SendStatus.QUEUED, Send.retry_at.is_(None), old, Send.job_id.is_not(None))
            .distinct()
        )
    )
    gone = lost_jobs(carried) if carried else set()
    orphaned: ColumnElement[bool] = Send.job_id.is_(None)
    if gone:
        orphaned = orphaned | among(session, Send.job_id, gone)
    return old & orphaned
