"""Subject tests: an even, stable split between two subjects, each counted apart, then one winner."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.enrollment import enroll
from campaigns.errors import ValidationError
from campaigns.models import Link, Send, StepVersion, Subscriber
from campaigns.planner import claim_due_sends
from campaigns.sequence_editing import publish_step
from campaigns.sequences.subject_tests import pick_winner, variant_of
from campaigns.stats import sequence_stats
from campaigns.statuses import SubscriberStatus
from campaigns.tracking import Hit, record_hits
from tests.factories import START, outbox_messages, seeded
from tests.test_sequence_changes import tick
from tests.test_stats import HUMAN


def subscribers(db: Session, sequence, count: int, prefix: str = "reader") -> None:
    people = [
        Subscriber(email=f"{prefix}{n}@example.com", status=SubscriberStatus.ACTIVE, created_at=START)
        for n in range(count)
    ]
    db.add_all(people)
    db.flush()
    for person in people:
        enroll(db, person, sequence, ZoneInfo("America/New_York"), START)
    db.commit()


def two_subjects(db: Session, settings):
    sequence = seeded(db, settings)
    step = sequence.steps[0]
    step.subject_b = "Your first email: where to begin"
    publish_step(db, step, settings.clinic_timezone, START)
    db.commit()
    return sequence, step


def sends_by_variant(db: Session) -> Counter[str]:
    rows = db.execute(select(StepVersion.variant).join(Send, Send.step_version_id == StepVersion.id))
    return Counter(variant for (variant,) in rows)


def test_a_thousand_subscribers_split_evenly_between_the_subjects(db: Session, settings) -> None:
    sequence, step = two_subjects(db, settings)
    subscribers(db, sequence, 1000)
    claim_due_sends(db, START + timedelta(minutes=1), limit=1000)
    db.commit()
    split = sends_by_variant(db)
    assert split["a"] + split["b"] == 1000
    assert abs(split["a"] - 500) <= 50, split  # 50/50 within 5%
    ids = [s.subscriber_id for s in db.scalars(select(Send))]
    assert [variant_of(step.id, i) for i in ids] == [
        variant_of(step.id, i) for i in ids
    ]  # the same every time


def test_each_subscriber_gets_the_subject_of_their_variant(db: Session, settings) -> None:
    sequence, step = two_subjects(db, settings)
    subscribers(db, sequence, 20)
    tick(settings, 0.01)
    expected = {"a": step.subject, "b": step.subject_b}
    people = {p.email: p.id for p in db.scalars(select(Subscriber))}
    got = {str(m["To"]): str(m["Subject"]) for m in outbox_messages(settings.outbox_dir)}
    assert got == {email: expected[variant_of(step.id, i)] for email, i in people.items()}
    stats = sequence_stats(db, sequence.id)
    variants = stats.steps[0].variants
    assert variants[(2, "a")]["sent"] + variants[(2, "b")]["sent"] == 20


def test_the_engine_picks_the_subject_with_more_human_clicks_after_the_sample(db: Session, settings) -> None:
    sequence, step = two_subjects(db, settings)
    step.ab_sample_size = 10
    db.commit()
    subscribers(db, sequence, 40)
    tick(settings, 0.01)
    sends = db.scalars(select(Send).join(StepVersion, StepVersion.id == Send.step_version_id)).all()
    b_sends = [s for s in sends if db.get_one(StepVersion, s.step_version_id).variant == "b"]
    link = db.scalars(select(Link).where(Link.step_version_id == b_sends[0].step_version_id)).first()
    later = START + timedelta(hours=3)
    record_hits(db, [Hit("click", s.id, later, link.id, HUMAN) for s in b_sends[:5]])
    db.commit()
    subscribers(db, sequence, 10, prefix="later")
    tick(settings, 0.2)
    db.expire_all()
    assert db.get_one(type(step), step.id).ab_winner == "b"
    late = [m for m in outbox_messages(settings.outbox_dir) if str(m["To"]).startswith("later")]
    assert {str(m["Subject"]) for m in late} == {step.subject_b}


def test_a_marketer_picks_the_winner(db: Session, settings) -> None:
    sequence, step = two_subjects(db, settings)
    pick_winner(step, "a", START)
    db.commit()
    subscribers(db, sequence, 10)
    tick(settings, 0.01)
    assert {str(m["Subject"]) for m in outbox_messages(settings.outbox_dir)} == {step.subject}
    with pytest.raises(ValidationError):
        pick_winner(step, "c", START)
