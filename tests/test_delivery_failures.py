"""What delivery does with each kind of provider failure, and how an operator decides the rest."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.sendgrid_server import FakeSendGrid, Reply, RunningServer
from campaigns.alerts import sending_paused
from campaigns.db import make_session_factory
from campaigns.models import Enrollment, Send
from campaigns.planner import claim_due_sends
from campaigns.providers.sendgrid import SendGridProvider
from campaigns.recovery import SENDING_TIMEOUT
from campaigns.retries import MAX_ATTEMPTS
from campaigns.statuses import SendStatus
from campaigns.tick import run_tick
from tests.conftest import engine_for
from tests.factories import START, active_subscriber, seeded

ERROR = {"errors": [{"message": "something is wrong"}]}


@pytest.fixture
def sendgrid() -> Iterator[tuple[FakeSendGrid, SendGridProvider]]:
    state = FakeSendGrid()
    server = RunningServer(state)
    yield state, SendGridProvider("SG.key", host=server.url, timeout_s=0.5)
    server.stop()


@pytest.fixture
def one_due(db: Session, settings) -> Enrollment:
    """One subscriber due now, in a sequence that may send at any hour."""
    sequence = seeded(db, settings)
    for step in sequence.steps:
        step.window_start_hour, step.window_end_hour, step.window_weekdays = 0, 24, 0b1111111
    return active_subscriber(db, sequence)[1]


def tick(settings, provider, at):
    return run_tick(make_session_factory(engine_for(settings.database_url)), settings, provider, at)


def the_send(db: Session) -> Send:
    db.expire_all()
    return db.scalars(select(Send)).one()


def test_a_passing_failure_waits_with_backoff_then_goes(db, settings, one_due, sendgrid) -> None:
    fake, provider = sendgrid
    fake.expect(Reply(503, {}, ERROR))
    assert tick(settings, provider, START)["retrying"] == 1
    send = the_send(db)
    assert send.status == SendStatus.QUEUED and send.attempts == 1
    assert START + timedelta(seconds=15) <= send.retry_at <= START + timedelta(seconds=30)
    assert tick(settings, provider, START + timedelta(seconds=10))["claimed"] == 0  # not yet
    assert tick(settings, provider, START + timedelta(minutes=1))["sent"] == 1
    assert fake.accepted == {f"send-{send.id}": 1}


def test_a_rate_limit_waits_for_the_reset(db, settings, one_due, sendgrid) -> None:
    fake, provider = sendgrid
    fake.expect(Reply(429, {"X-RateLimit-Reset": str(int(time.time()) + 600)}, ERROR))
    tick(settings, provider, START)
    assert the_send(db).retry_at >= START + timedelta(seconds=590)


def test_a_send_that_keeps_failing_is_given_up_after_the_last_attempt(
    db, settings, one_due, sendgrid
) -> None:
    fake, provider = sendgrid
    fake.expect(*[Reply(500, {}, ERROR)] * MAX_ATTEMPTS)
    moment = START
    for _ in range(MAX_ATTEMPTS):
        tick(settings, provider, moment)
        moment += timedelta(hours=2)
    send = the_send(db)
    assert (send.status, send.attempts) == (SendStatus.FAILED, MAX_ATTEMPTS)
    assert "SendGrid 500" in send.error


def test_a_refused_message_fails_with_the_providers_words_and_is_not_retried(db, settings, one_due, sendgrid):
    fake, provider = sendgrid
    fake.expect(Reply(400, {}, {"errors": [{"message": "Invalid to address"}]}))
    assert tick(settings, provider, START)["failed"] == 1
    assert the_send(db).error == "SendGrid 400: Invalid to address"
    assert tick(settings, provider, START + timedelta(days=1))["claimed"] == 0


def test_a_bad_key_pauses_all_sending_until_an_admin_resumes(db, settings, runner, sendgrid) -> None:
    fake, provider = sendgrid
    sequence = seeded(db, settings)
    for n in range(3):
        active_subscriber(db, sequence, email=f"reader{n}@example.com")
    fake.expect(Reply(401, {}, {"errors": [{"message": "The provided authorization grant is invalid"}]}))
    counts = tick(settings, provider, START)
    assert counts["waiting"] == 3 and counts["failed"] == 0
    assert "authorization grant is invalid" in sending_paused(db).message
    assert tick(settings, provider, START + timedelta(hours=1))["sent"] == 0  # still paused
    assert "sending is paused" in runner.invoke(args=["sending", "status"]).output
    assert "3 waiting" in runner.invoke(args=["sending", "resume"]).output
    assert tick(settings, provider, START + timedelta(hours=2))["sent"] == 3
    assert len(fake.accepted) == 3


def test_no_answer_after_the_request_is_unknown_never_resent(db, settings, one_due, sendgrid, runner):
    fake, provider = sendgrid
    fake.expect(Reply(hang_s=2))
    assert tick(settings, provider, START)["unknown"] == 1
    for day in range(1, 4):
        assert tick(settings, provider, START + timedelta(days=day))["claimed"] == 0
    send = the_send(db)
    assert send.status == SendStatus.UNKNOWN
    assert f"{send.id}\t" in runner.invoke(args=["sends", "list"]).output
    result = runner.invoke(args=["sends", "settle", str(send.id), "--as", "sent"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert db.get_one(Enrollment, one_due.id).next_step.position == 2  # moves on to step 2


def test_an_operator_may_resend_a_failed_email(db, settings, one_due, sendgrid, runner) -> None:
    fake, provider = sendgrid
    fake.expect(Reply(400, {}, ERROR))
    tick(settings, provider, START)
    send = the_send(db)
    assert runner.invoke(args=["sends", "settle", str(send.id), "--as", "resend"]).exit_code == 0
    assert tick(settings, provider, START + timedelta(minutes=1))["sent"] == 1
    refused = runner.invoke(args=["sends", "settle", str(send.id), "--as", "resend"])
    assert refused.exit_code == 1 and "nothing to decide" in refused.output


def test_a_worker_that_died_mid_call_leaves_an_unknown_send(db, settings, one_due, sendgrid) -> None:
    fake, provider = sendgrid
    [send_id] = claim_due_sends(db, START).send_ids
    stuck = db.get_one(Send, send_id)  # a worker marked it sending, called SendGrid, and died
    stuck.status, stuck.attempted_at = SendStatus.SENDING, START
    db.commit()
    assert tick(settings, provider, START + SENDING_TIMEOUT / 2)["claimed"] == 0
    tick(settings, provider, START + SENDING_TIMEOUT + timedelta(seconds=1))
    assert the_send(db).status == SendStatus.UNKNOWN
    assert fake.accepted == {}  # never resent on its own


def test_a_queued_send_whose_job_redis_lost_is_queued_again(db, settings, one_due, sendgrid) -> None:
    fake, provider = sendgrid
    claim_due_sends(db, START)  # claimed and queued, but its RQ job is gone
    db.commit()
    assert tick(settings, provider, START + timedelta(minutes=5))["claimed"] == 0
    assert tick(settings, provider, START + timedelta(minutes=16))["sent"] == 1
    assert len(fake.accepted) == 1
