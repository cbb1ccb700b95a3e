"""What cannot be undone asks first on a page of its own (no JavaScript needed), and says what happened."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Sequence, Step
from campaigns.statuses import Role, SequenceStatus
from tests.admin_helpers import make_user, sign_in
from tests.factories import seeded


def signed_in_editor(client, db: Session, settings) -> Sequence:
    sequence = seeded(db, settings)
    make_user(db, "ed@clinic.example", Role.EDITOR)
    sign_in(client, "ed@clinic.example")
    return sequence


def test_pausing_asks_first_then_says_it_is_paused(client, db: Session, settings) -> None:
    sequence = signed_in_editor(client, db, settings)
    dashboard = client.get("/admin/").text
    assert "Pause this sequence…" in dashboard
    question = client.get(f"/admin/sequences/{sequence.id}/pause").text
    assert "nobody loses their place" in question and "No, go back" in question
    db.expire_all()
    assert db.get_one(Sequence, sequence.id).status == SequenceStatus.ACTIVE
    done = client.post(f"/admin/sequences/{sequence.id}/pause", follow_redirects=True).text
    assert "is paused: nobody receives its emails" in done
    resumed = client.post(f"/admin/sequences/{sequence.id}/resume", follow_redirects=True).text
    assert "is sending again" in resumed


def test_deleting_a_step_asks_first(client, db: Session, settings) -> None:
    sequence = signed_in_editor(client, db, settings)
    step = db.scalars(select(Step).where(Step.sequence_id == sequence.id).order_by(Step.position)).first()
    question = client.get(f"/admin/steps/{step.id}/delete").text
    assert f"Delete “{step.subject}”?" in question
    db.expire_all()
    assert db.get_one(Step, step.id).deleted_at is None
    done = client.post(f"/admin/steps/{step.id}/delete", follow_redirects=True).text
    assert "was deleted; those about to receive it move on" in done


def test_publishing_asks_first_and_an_admin_gives_a_reason_for_a_blocker(
    client, db: Session, settings
) -> None:
    sequence = seeded(db, settings)
    make_user(db, "boss@clinic.example", Role.ADMIN)
    sign_in(client, "boss@clinic.example")
    step = db.scalars(select(Step).where(Step.sequence_id == sequence.id).order_by(Step.position)).first()
    plain = client.get(f"/admin/steps/{step.id}/publish").text
    assert f"Publish “{step.subject}”?" in plain and 'name="override_reason"' not in plain
    step.body = step.body + "\n\nOur treatment is FDA approved."  # no disclaimer problem, a warning only
    db.commit()
    warned = client.get(f"/admin/steps/{step.id}/publish").text
    assert "The claims check found" in warned and "(s)" not in warned
    assert re.search(r"found (1 thing|[02-9] things|\d{2,} things) to review", warned)
