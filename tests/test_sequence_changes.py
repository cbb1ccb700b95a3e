"""Pausing, resuming and editing an active sequence: nobody loses their place or gets a step twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.clinic import sender_for
from campaigns.db import make_session_factory
from campaigns.delivery import deliver_batch
from campaigns.models import Enrollment, Send
from campaigns.planner import claim_due_sends
from campaigns.providers import provider_for
from campaigns.sequence_editing import StepDraft, delete_step, insert_step, publish_step, set_status
from campaigns.settings import Settings
from campaigns.statuses import SendStatus, SequenceStatus
from campaigns.tick import run_tick
from tests.conftest import engine_for
from tests.factories import START, active_subscriber, outbox_messages, seeded

DAY = timedelta(days=1)
DAY_MIN = 24 * 60


def tick(settings: Settings, days: float):
    sessions = make_session_factory(engine_for(settings.database_url))
    return run_tick(sessions, settings, provider_for(settings), START + days * DAY)


def subjects(settings: Settings) -> list[str]:
    return [m["Subject"] for m in outbox_messages(settings.outbox_dir)]


def test_pausing_stops_sends_and_resuming_continues_from_the_same_place(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    _, enrollment = active_subscriber(db, sequence)
    tick(settings, 0)
    set_status(db, sequence, SequenceStatus.PAUSED, START)
    db.commit()
    assert tick(settings, 10)["claimed"] == 0
    db.refresh(enrollment)
    assert enrollment.next_step_id == sequence.steps[1].id  # still waiting for step 2
    set_status(db, sequence, SequenceStatus.ACTIVE, START + 10 * DAY)
    db.commit()
    assert tick(settings, 10)["sent"] == 1
    assert subjects(settings)[1] == "What the guidelines recommend first"


def test_an_email_queued_when_the_sequence_pauses_waits_for_resume(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    active_subscriber(db, sequence)
    batch = claim_due_sends(db, START)
    db.commit()
    set_status(db, sequence, SequenceStatus.PAUSED, START)
    db.commit()
    counts = deliver_batch(db, batch.send_ids, sender_for(db, settings), provider_for(settings), START)
    assert counts["rescheduled"] == 1 and outbox_messages(settings.outbox_dir) == []
    set_status(db, sequence, SequenceStatus.ACTIVE, START)
    db.commit()
    assert tick(settings, 0.01)["sent"] == 1


def test_an_inserted_step_reaches_only_those_not_yet_past_it(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    _, early = active_subscriber(db, sequence, email="early@example.com")  # will have had step 1
    _, late = active_subscriber(db, sequence, email="late@example.com", now=START - 4 * DAY)  # steps 1, 2
    tick(settings, -4)
    tick(settings, -1)
    tick(settings, 0)
    db.expire_all()
    assert (early.next_step.position, late.next_step.position) == (2, 3)

    new = insert_step(
        db, sequence, 2, StepDraft("A short extra note", "Hello again.", delay_minutes=DAY_MIN), START
    )
    publish_step(db, new, settings.clinic_timezone, START)
    db.commit()
    db.expire_all()
    assert early.next_step_id == new.id
    assert late.next_step.subject == "How the nervous system sets its volume"


def test_a_deleted_step_is_skipped_even_when_already_queued(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    _, waiting = active_subscriber(db, sequence, email="waiting@example.com")
    _, queued = active_subscriber(db, sequence, email="queued@example.com")
    tick(settings, 0)
    db.expire_all()
    step2 = sequence.steps[1]
    queued_enrollment = db.get_one(Enrollment, queued.id)
    queued_enrollment.next_send_at = START  # make step 2 due for this one only, and claim it
    db.commit()
    batch = claim_due_sends(db, START + DAY)
    db.commit()
    delete_step(db, step2, settings.clinic_timezone, START + DAY)
    db.commit()
    db.refresh(waiting)
    assert waiting.next_step.position == 3
    deliver_batch(db, batch.send_ids, sender_for(db, settings), provider_for(settings), START + DAY)
    db.expire_all()
    assert db.get_one(Send, batch.send_ids[0]).status == SendStatus.SKIPPED
    assert db.get_one(Enrollment, queued.id).next_step.position == 3
    assert "What the guidelines recommend first" not in subjects(settings)
    assert sum(tick(settings, day)["sent"] for day in range(1, 30)) == 8  # steps 3 to 6 for both
    assert len(db.scalars(select(Send).where(Send.status == SendStatus.SENT)).all()) == 10
