"""Each way out ends the sequence at once, even for an email already queued for a worker."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.clinic import sender_for
from campaigns.delivery import deliver_batch
from campaigns.exits import goal_reached, suppress, unsubscribe
from campaigns.models import Enrollment, Send, Subscriber, Suppression
from campaigns.planner import claim_due_sends
from campaigns.providers import provider_for
from campaigns.statuses import EnrollmentStatus, SendStatus, SubscriberStatus, SuppressionReason
from tests.factories import START, active_subscriber, outbox_messages, seeded

EXITS: dict[str, Callable[[Session, Subscriber], object]] = {
    "booked a consultation": lambda db, s: goal_reached(db, s, START),
    "unsubscribed": lambda db, s: unsubscribe(db, s, START),
    "hard bounce": lambda db, s: suppress(db, s.email, SuppressionReason.BOUNCED, START),
    "spam complaint": lambda db, s: suppress(db, s.email, SuppressionReason.COMPLAINED, START),
    "manual suppression": lambda db, s: suppress(
        db, s.email, SuppressionReason.MANUAL, START, "asked by phone"
    ),
}


@pytest.mark.parametrize("way_out", EXITS)
def test_an_exit_skips_the_email_already_queued(way_out: str, db: Session, settings) -> None:
    subscriber, enrollment = active_subscriber(db, seeded(db, settings))
    batch = claim_due_sends(db, START)  # the email is queued, its job on its way to a worker
    db.commit()
    EXITS[way_out](db, subscriber)
    db.commit()
    deliver_batch(db, batch.send_ids, sender_for(db, settings), provider_for(settings), START)
    assert outbox_messages(settings.outbox_dir) == []
    db.expire_all()
    assert db.get_one(Enrollment, enrollment.id).status == EnrollmentStatus.EXITED
    send = db.scalars(select(Send)).one()
    assert send.status == SendStatus.SKIPPED and "left the sequence" in send.error


CHANGES = {
    "subscriber no longer active": lambda db, s, e: setattr(s, "status", SubscriberStatus.UNSUBSCRIBED),
    "address suppressed": lambda db, s, e: db.add(
        Suppression(email=s.email, reason=SuppressionReason.BOUNCED, created_at=START)
    ),
    "enrollment ended": lambda db, s, e: setattr(e, "status", EnrollmentStatus.EXITED),
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_worker_checks_again_just_before_sending(change: str, db: Session, settings) -> None:
    subscriber, enrollment = active_subscriber(db, seeded(db, settings))
    batch = claim_due_sends(db, START)
    db.commit()
    CHANGES[change](db, subscriber, enrollment)  # a change that does not touch the queued send itself
    db.commit()
    counts = deliver_batch(db, batch.send_ids, sender_for(db, settings), provider_for(settings), START)
    assert counts["skipped"] == 1
    assert outbox_messages(settings.outbox_dir) == []


def test_suppression_sets_the_subscriber_status_and_outweighs_an_unsubscribe(db: Session, settings) -> None:
    subscriber, _ = active_subscriber(db, seeded(db, settings))
    unsubscribe(db, subscriber, START)
    suppress(db, subscriber.email, SuppressionReason.COMPLAINED, START)
    db.commit()
    db.expire_all()
    assert db.get_one(Subscriber, subscriber.id).status == SubscriberStatus.COMPLAINED
    assert db.scalars(select(Suppression)).one().reason == SuppressionReason.COMPLAINED


def test_booking_ends_the_sequence_but_keeps_the_subscriber(db: Session, settings) -> None:
    subscriber, enrollment = active_subscriber(db, seeded(db, settings))
    goal_reached(db, subscriber, START)
    db.commit()
    db.expire_all()
    assert db.get_one(Subscriber, subscriber.id).status == SubscriberStatus.ACTIVE
    ended = db.get_one(Enrollment, enrollment.id)
    assert (ended.status, ended.exit_reason) == (EnrollmentStatus.EXITED, "booked")
