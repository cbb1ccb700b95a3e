"""`tick --at` walks a subscriber through the sequence: each step once, in order, into the outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.db import make_session_factory
from campaigns.models import Enrollment, Send, Suppression
from campaigns.providers import provider_for
from campaigns.settings import Settings
from campaigns.statuses import EnrollmentStatus, SendStatus, SubscriberStatus, SuppressionReason
from campaigns.tick import run_tick
from tests.conftest import engine_for
from tests.factories import START, active_subscriber, outbox_messages, seeded


def tick(settings: Settings, days: float):
    sessions = make_session_factory(engine_for(settings.database_url))
    return run_tick(sessions, settings, provider_for(settings), START + timedelta(days=days))


def test_the_first_email_goes_out_once_as_a_complete_mime_message(db: Session, settings: Settings) -> None:
    active_subscriber(db, seeded(db, settings))
    assert tick(settings, 0)["sent"] == 1
    assert tick(settings, 0)["claimed"] == 0  # a second tick at the same moment sends nothing more
    [message] = outbox_messages(settings.outbox_dir)
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Welcome, and what these emails will cover"
    assert message["From"] == "Harbor Regenerative Clinic <care@clinic.example>"
    assert message["Reply-To"] == message["From"]
    assert message["Message-ID"]
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert "Hi Ada," in text.get_content()
    assert "12 Harbor Street" in text.get_content() and "12 Harbor Street" in html.get_content()


def test_the_whole_sequence_arrives_in_order_and_then_completes(db: Session, settings: Settings) -> None:
    _, enrollment = active_subscriber(db, seeded(db, settings))
    sent = sum(tick(settings, day)["sent"] for day in range(0, 30))
    assert sent == 6
    subjects = [m["Subject"] for m in outbox_messages(settings.outbox_dir)]
    assert subjects[0] == "Welcome, and what these emails will cover"
    assert subjects[-1] == "An invitation to talk it through"
    db.expire_all()
    assert db.get_one(Enrollment, enrollment.id).status == EnrollmentStatus.COMPLETED


def test_a_late_catch_up_on_a_weekend_waits_for_the_window(db: Session, settings: Settings) -> None:
    active_subscriber(db, seeded(db, settings))  # due Monday 09:00, weekdays only
    saturday = tick(settings, 5)
    assert (saturday["claimed"], saturday["sent"], saturday["rescheduled"]) == (1, 0, 1)
    send = db.scalars(select(Send)).one()
    assert send.status == SendStatus.QUEUED and send.retry_at == START + timedelta(days=7)
    assert tick(settings, 6)["claimed"] == 0  # Sunday
    assert tick(settings, 7)["sent"] == 1
    assert len(outbox_messages(settings.outbox_dir)) == 1


def test_an_unsubscribed_subscriber_is_skipped(db: Session, settings: Settings) -> None:
    subscriber, _ = active_subscriber(db, seeded(db, settings))
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    db.commit()
    counts = tick(settings, 0)
    assert counts["sent"] == 0
    assert counts["skipped"] == 1
    assert outbox_messages(settings.outbox_dir) == []


def test_a_suppressed_address_is_never_mailed(db: Session, settings: Settings) -> None:
    subscriber, _ = active_subscriber(db, seeded(db, settings))
    db.add(Suppression(email=subscriber.email, reason=SuppressionReason.BOUNCED, created_at=START))
    db.commit()
    assert tick(settings, 0)["skipped"] == 1
    send = db.scalars(select(Send)).one()
    assert send.status == SendStatus.SKIPPED and send.error == "address is suppressed"


def test_a_walk_through_four_weeks_sends_the_whole_sequence_in_one_command(
    runner, db: Session, settings
) -> None:
    active_subscriber(db, seeded(db, settings))
    end = START + timedelta(weeks=4)
    result = runner.invoke(
        args=["tick", "--from", START.isoformat(), "--to", end.isoformat(), "--every", "1h"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith(f"walked {4 * 7 * 24 + 1} moments from ")
    assert "sent=6 " in result.output.splitlines()[-1]
    assert len([line for line in result.output.splitlines() if line.startswith("tick at")]) == 6
    assert len(outbox_messages(settings.outbox_dir)) == 6
    assert db.scalars(select(Enrollment)).one().status == EnrollmentStatus.COMPLETED


def test_a_walk_refuses_what_it_cannot_follow(runner) -> None:
    cases = {
        ("--from", "2030-01-01T00:00:00Z"): "--from and --to go together",
        ("--at", "2030-01-01T00:00:00Z", "--from", "2030-01-01T00:00:00Z"): "either --at, or --from and --to",
        ("--from", "2030-01-02T00:00:00Z", "--to", "2030-01-01T00:00:00Z"): "must not be before --from",
        ("--from", "2030-01-01T00:00:00Z", "--to", "2030-01-02T00:00:00Z", "--every", "soon"): "such as 90s",
        ("--from", "2030-01-01T00:00:00Z", "--to", "2030-01-02T00:00:00Z", "--every", "0h"): "such as 90s",
        ("--from", "2030-01-01T00:00:00Z", "--to", "2090-01-01T00:00:00Z", "--every", "1m"): "longer --every",
    }
    for args, message in cases.items():
        result = runner.invoke(args=["tick", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, result.output
