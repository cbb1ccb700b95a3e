"""RQ jobs. Each takes ids, never ORM objects, and does its work through the domain."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from rq import get_current_job
from sqlalchemy.orm import Session, sessionmaker

from campaigns.access.invitations import send_set_password_email
from campaigns.clinic import clinic_zone, notify_address, sender_for
from campaigns.composing import content_for
from campaigns.confirmation import send_confirmation
from campaigns.conversions import send_conversion_emails
from campaigns.db import session_scope
from campaigns.delivery import deliver_batch
from campaigns.heartbeats import PLANNER, TRACKING_DRAIN
from campaigns.leadership import CRON, check_fence, lead, leader
from campaigns.models import ImportRun, Step
from campaigns.people.importing import run_import
from campaigns.provider_events import process_events
from campaigns.signup import take_attempt
from campaigns.statuses import ImportStatus
from campaigns.test_send import send_test
from campaigns.tick import plan
from campaigns.webhooks.delivery import attempt, claim_due
from workers.hit_buffer import drain
from workers.http_post import post
from workers.liveness import Pulse, lost_jobs
from workers.queues import DEFAULT_QUEUE, SEND_QUEUE, WEBHOOK_QUEUE, connect, enqueue
from workers.recurring import run_watched
from workers.runtime import get_runtime

SEND_JOB_TIMEOUT_S = 600
"""Longer than any batch takes; a live batch renews its claims meanwhile (`workers.liveness`)."""
PLAN_JOB_TIMEOUT_S = 600
"""How long a planning job may run, whether the schedule or a takeover enqueued it."""

log = logging.getLogger("nurture.jobs")


def send_batch(send_ids: list[int]) -> dict[str, int]:
    """Deliver a claimed batch, beating its pulse meanwhile; return how many ended in each status."""
    runtime = get_runtime()
    job = get_current_job()
    pulse = Pulse(connect(runtime.settings), job.id if job else None, runtime.sessions, send_ids)
    with pulse, session_scope(runtime.sessions) as session:
        sender = sender_for(session, runtime.settings)
        return dict(deliver_batch(session, send_ids, sender, runtime.provider, datetime.now(UTC)))


def send_confirmation_email(consent_id: int) -> bool:
    """Send the double opt-in email for one signup, if it is still owed."""
    runtime = get_runtime()
    with session_scope(runtime.sessions) as session:
        sender = sender_for(session, runtime.settings)
        return send_confirmation(session, consent_id, sender, runtime.provider, datetime.now(UTC))


def process_signup(attempt_id: int) -> bool:
    """Decide a recorded signup and send its confirmation email if one is owed."""
    runtime = get_runtime()
    with session_scope(runtime.sessions) as session:
        record = take_attempt(
            session,
            attempt_id,
            erasure_key=runtime.settings.verifying_keys,
            fallback_zone=clinic_zone(session, runtime.settings),
        )
        session.commit()
        if record is None:
            return False
        sender = sender_for(session, runtime.settings)
        return send_confirmation(session, record.id, sender, runtime.provider, datetime.now(UTC))


def plan_due(cron: str | None = None) -> int:
    """Plan once if `cron`, the cron process that enqueued this, leads; return how many sends went on.

    Without `cron` (a job enqueued by hand) it plans unfenced, which is safe: planning twice
    claims nothing twice.
    """
    runtime = get_runtime()
    connection = connect(runtime.settings)
    term = _lead(runtime.sessions, cron)
    if term is None:
        return 0

    def hand_on(send_ids: list[int]) -> str:
        return enqueue(
            connection, "workers.jobs.send_batch", send_ids, queue=SEND_QUEUE, job_timeout=SEND_JOB_TIMEOUT_S
        )

    def confirm(consent_id: int) -> None:
        enqueue(connection, "workers.jobs.send_confirmation_email", consent_id, queue=DEFAULT_QUEUE)

    def lost(job_ids: Collection[str]) -> set[str]:
        return lost_jobs(connection, job_ids)

    return run_watched(
        PLANNER,
        runtime.sessions,
        lambda: plan(
            runtime.sessions,
            datetime.now(UTC),
            hand_on,
            confirm,
            erasure_key=runtime.settings.verifying_keys,
            lost_jobs=lost,
            fence=term.fence,
        ),
    )


@dataclass(frozen=True)
class Term:
    """What a job that may do the leader's work learnt from the lease."""

    fence: Callable[[Session], None] | None
    """Checks, in each transaction of the work, that the lease has not moved on (None: unfenced)."""
    fresh: bool = False
    """This job took the lease over from nobody or from a dead leader."""


def _lead(sessions: sessionmaker[Session], cron: str | None) -> Term | None:
    """Take or renew the lease for `cron`; return the term to work under, or None to stand by."""
    if cron is None:
        return Term(fence=None)
    try:
        with session_scope(sessions) as session:
            now = datetime.now(UTC)
            held_by = leader(session, CRON, now)
            token = lead(session, CRON, cron, now)
    except Exception as exc:  # the database away: nobody can lead, and the next run tries again
        log.error("could not take the cron lease: %s", f"{type(exc).__name__}: {exc}".splitlines()[0])
        return None
    if token is None:
        return None  # another cron process leads; this one stands by
    return Term(fence=lambda session: check_fence(session, CRON, token), fresh=held_by != cron)


def send_test_email(step_id: int, to: str) -> str:
    """Send a marketer a test of a step's draft; return what the provider did with it."""
    runtime = get_runtime()
    with session_scope(runtime.sessions) as session:
        step = session.get_one(Step, step_id)
        content = content_for(step)
        sender = sender_for(session, runtime.settings)
    return send_test(sender, content, to, runtime.provider, datetime.now(UTC)).status


def send_consultation_emails(conversion_id: int) -> int:
    """Confirm a consultation request to the person and notify the clinic."""
    runtime = get_runtime()
    with session_scope(runtime.sessions) as session:
        sender = sender_for(session, runtime.settings)
        notify = notify_address(session, runtime.settings)
        return send_conversion_emails(
            session, conversion_id, sender, runtime.provider, notify, datetime.now(UTC)
        )


def send_set_password_link(user_id: int, inviter: str) -> str:
    """Email a user the link at which they choose their password."""
    runtime = get_runtime()
    with session_scope(runtime.sessions) as session:
        sender = sender_for(session, runtime.settings)
        return send_set_password_email(session, user_id, inviter, sender, runtime.provider, datetime.now(UTC))


def drain_tracking(cron: str | None = None) -> int:
    """Record buffered opens and clicks if `cron` leads (or unfenced without it); return how many.

    The drain runs more often than the planner, so it is the job that notices first that this
    process has taken over; it then plans at once rather than at the planner's next interval.
    """
    runtime = get_runtime()
    term = _lead(runtime.sessions, cron)
    if term is None:
        return 0
    connection = connect(runtime.settings)
    if term.fresh:
        log.info("cron %s took the lease over; planning now", cron)
        enqueue(
            connection, "workers.jobs.plan_due", cron, queue=DEFAULT_QUEUE, job_timeout=PLAN_JOB_TIMEOUT_S
        )
    return run_watched(
        TRACKING_DRAIN,
        runtime.sessions,
        lambda: drain(connection, runtime.sessions, fence=term.fence),
    )


def process_provider_events(events: list[dict[str, object]]) -> dict[str, int]:
    """Apply a verified batch of SendGrid events."""
    runtime = get_runtime()
    with session_scope(runtime.sessions) as session:
        zone = sender_for(session, runtime.settings).fallback_zone
        return dict(process_events(session, events, zone))


def import_subscribers(import_run_id: int) -> dict[str, int]:
    """Run a CSV import to the end, saving its progress as it goes; a failure is kept on the run."""
    runtime = get_runtime()
    try:
        with session_scope(runtime.sessions) as session:
            zone = clinic_zone(session, runtime.settings)
            run = run_import(session, import_run_id, runtime.settings.verifying_keys, zone, datetime.now(UTC))
            return {"imported": run.imported, "merged": run.merged, "rejected": run.rejected}
    except Exception as exc:
        with session_scope(runtime.sessions) as session:
            failed = session.get_one(ImportRun, import_run_id)
            failed.status, failed.error = ImportStatus.FAILED, f"{type(exc).__name__}: {exc}"[:1000]
        raise


def dispatch_webhooks() -> int:
    """Hand each due webhook delivery to its own job on the webhook queue; return how many."""
    runtime = get_runtime()
    with session_scope(runtime.sessions) as session:
        ids = claim_due(session, datetime.now(UTC))
    connection = connect(runtime.settings)
    for delivery_id in ids:
        enqueue(connection, "workers.jobs.deliver_webhook", delivery_id, queue=WEBHOOK_QUEUE, job_timeout=60)
    return len(ids)


def deliver_webhook(delivery_id: int) -> str | None:
    """Post one signed webhook delivery and record the answer; return its status."""
    runtime = get_runtime()
    with session_scope(runtime.sessions) as session:
        status = attempt(session, delivery_id, post, datetime.now(UTC))
    return str(status) if status else None
