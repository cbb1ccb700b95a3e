"""Reordering and duplicating steps keeps everyone's place; a step's versions can be compared and restored."""

from __future__ import annotations

from collections import Counter
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy.orm import Session

from campaigns.clinic import sender_for
from campaigns.db import make_session_factory
from campaigns.delivery import deliver_batch
from campaigns.errors import ValidationError
from campaigns.models import Step
from campaigns.planner import claim_due_sends
from campaigns.providers import provider_for
from campaigns.sequence_editing import publish_step
from campaigns.sequences.step_history import diff, history, restore_as_draft
from campaigns.sequences.step_order import duplicate_step, move_step, ordered_steps
from tests.conftest import engine_for
from tests.factories import START, active_subscriber, outbox_messages, seeded
from tests.test_sequence_changes import DAY, tick


def received(settings) -> dict[str, list[str]]:
    mail: dict[str, list[str]] = {}
    by_date = sorted(outbox_messages(settings.outbox_dir), key=lambda m: parsedate_to_datetime(m["Date"]))
    for message in by_date:
        mail.setdefault(str(message["To"]), []).append(str(message["Subject"]))
    return mail


def two_readers_at_steps_two_and_three(db: Session, settings):
    sequence = seeded(db, settings)
    active_subscriber(db, sequence, email="early@example.com")  # will have had step 1
    active_subscriber(db, sequence, email="late@example.com", now=START - 4 * DAY)  # steps 1 and 2
    for day in (-4, -1, 0):
        tick(settings, day)
    db.expire_all()
    return sequence, [s.subject for s in sequence.steps]


@pytest.mark.parametrize(("step", "to"), [(3, 1), (2, 4), (6, 2), (1, 6)])
def test_moving_a_step_never_skips_or_repeats_an_email(db: Session, settings, step: int, to: int) -> None:
    sequence, subjects = two_readers_at_steps_two_and_three(db, settings)
    move_step(db, sequence.steps[step - 1], to, settings.clinic_timezone, START)
    db.commit()
    for day in range(1, 60):
        tick(settings, day)
    for address, got in received(settings).items():
        assert Counter(got) == Counter(subjects), address  # each email once, none missed


def test_the_next_email_after_a_move_is_the_first_not_yet_had_in_the_new_order(db: Session, settings) -> None:
    sequence, subjects = two_readers_at_steps_two_and_three(db, settings)
    move_step(db, sequence.steps[1], 4, settings.clinic_timezone, START)  # 1, 3, 4, 2, 5, 6
    db.commit()
    for day in range(1, 60):
        tick(settings, day)
    mail = received(settings)
    order = [subjects[i] for i in (0, 2, 3, 1, 4, 5)]
    assert mail["early@example.com"] == order
    assert mail["late@example.com"] == [subjects[0], subjects[1]] + [
        s for s in order if s not in subjects[:2]
    ]


@pytest.mark.parametrize(("step", "to"), [(3, 1), (2, 6), (5, 1), (1, 6), (4, 2), (3, 5)])
def test_moving_a_step_while_an_email_is_queued_keeps_the_new_order(db, settings, step: int, to: int) -> None:
    sequence, subjects = two_readers_at_steps_two_and_three(db, settings)
    due = START + 3 * DAY  # early's email 2 is due: claimed, queued, not yet sent; late waits for email 3
    queued = claim_due_sends(db, due)
    db.commit()
    move_step(db, sequence.steps[step - 1], to, settings.clinic_timezone, due)
    db.commit()
    sent = deliver_batch(db, queued.send_ids, sender_for(db, settings), provider_for(settings), due)
    assert sent["sent"] == 1
    for day in range(4, 60):
        tick(settings, day)
    order = [s.subject for s in ordered_steps(db, sequence.id)]
    mail = received(settings)
    for address in ("early@example.com", "late@example.com"):  # each has had emails 1 and 2 by now
        assert mail[address] == subjects[:2] + [s for s in order if s not in subjects[:2]], address


class MovingMidSend:
    """A provider during whose call the marketer moves a step, as a second browser tab would."""

    def __init__(self, inner, move) -> None:
        self.inner, self.move = inner, move

    def send_many(self, emails):
        self.move()
        return self.inner.send_many(emails)


def test_moving_a_step_while_the_provider_is_called_keeps_the_new_order(db, settings) -> None:
    sequence, subjects = two_readers_at_steps_two_and_three(db, settings)
    due, third = START + 3 * DAY, sequence.steps[2].id
    queued = claim_due_sends(db, due)
    db.commit()

    def move() -> None:
        with make_session_factory(engine_for(settings.database_url))() as other:
            move_step(other, other.get_one(Step, third), 1, settings.clinic_timezone, due)
            other.commit()

    provider = MovingMidSend(provider_for(settings), move)  # email 3 to the top while email 2 is sent
    with make_session_factory(engine_for(settings.database_url))() as worker:  # as a worker's job has it
        deliver_batch(worker, queued.send_ids, sender_for(worker, settings), provider, due)
    for day in range(4, 60):
        tick(settings, day)
    mail = received(settings)
    assert mail["early@example.com"] == subjects  # 1 and 2 had; then 3 (now first), 4, 5, 6: none skipped


def test_a_move_renumbers_the_steps_and_refuses_a_place_outside_them(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    last = sequence.steps[-1]
    move_step(db, last, 1, settings.clinic_timezone, START)
    assert ordered_steps(db, sequence.id)[0].id == last.id
    assert [s.position for s in ordered_steps(db, sequence.id)] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValidationError, match="from 1 to 6"):
        move_step(db, last, 7, settings.clinic_timezone, START)


def test_a_duplicated_step_is_an_unpublished_copy_right_after_it(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    original = sequence.steps[1]
    copy = duplicate_step(db, original, START)
    db.commit()
    steps = ordered_steps(db, sequence.id)
    assert steps[2].id == copy.id and (copy.subject, copy.body) == (original.subject, original.body)
    assert copy.versions == [] and len(steps) == 7


def test_versions_compare_line_by_line_and_restore_as_a_draft(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    step = sequence.steps[0]
    first_body = step.body
    step.subject, step.body = "A new subject", first_body + "\nOne more line.\n"
    publish_step(db, step, settings.clinic_timezone, START)
    db.commit()
    newer, older = history(db, step)
    assert (newer.version, older.version) == (2, 1)
    changes = diff(older, newer)
    assert set(changes) == {"Subject", "Body"}
    assert [line.text for line in changes["Body"] if line.mark == "+"] == ["", "One more line."]
    restore_as_draft(step, older, START)
    db.commit()
    assert (step.body, step.published.version) == (first_body, 2)  # the draft only; v2 still sends
