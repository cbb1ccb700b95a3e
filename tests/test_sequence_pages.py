"""The marketer's pages for many sequences, and each sequence's own signup page."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import AuditLog, ConsentRecord, Sequence, Step
from campaigns.sequence_editing import StepDraft, insert_step, publish_step
from campaigns.statuses import Role, SequenceStatus
from tests.factories import START, seeded
from tests.test_step_editor import sign_in_as

NEW = {
    "name": "Sleep and pain",
    "slug": "",
    "description": "For readers of the sleep article",
    "landing_heading": "Sleep and chronic pain",
    "landing_text": "Five emails on sleep.\n\nEach with its sources.",
}


def make_sequence(client, db: Session, settings, **changes: str):
    """Create a sequence through its form, with one published email if it was made."""
    seeded(db, settings)
    post = sign_in_as(client, db, Role.EDITOR)
    response = post("/admin/sequences/new", **{**NEW, **changes})
    db.expire_all()
    made = db.scalars(select(Sequence).where(Sequence.slug == "sleep-and-pain")).one_or_none()
    if made is not None:
        step = insert_step(db, made, 1, StepDraft("Sleep, first", "Hello.", 0), START)
        publish_step(db, step, settings.clinic_timezone, START)
        db.commit()
    return post, response, made


def test_a_marketer_creates_a_sequence_whose_page_opens_once_started(client, db, settings) -> None:
    post, response, sequence = make_sequence(client, db, settings)
    assert response.status_code == 303 and sequence.status == SequenceStatus.DRAFT
    assert client.get("/s/sleep-and-pain").status_code == 404
    assert post(f"/admin/sequences/{sequence.id}/start").status_code == 303
    page = client.get("/s/sleep-and-pain")
    assert page.status_code == 200
    assert "<h1>Sleep and chronic pain</h1>" in page.text and "<p>Each with its sources.</p>" in page.text
    assert 'name="sequence" value="sleep-and-pain"' in page.text
    actions = [a.action for a in db.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert [a for a in actions if a.startswith("sequence.")] == ["sequence.create", "sequence.active"]


def test_a_bad_name_or_a_taken_address_shows_the_form_again(client, db, settings) -> None:
    _, response, sequence = make_sequence(client, db, settings, name="", slug="fibromyalgia-education")
    assert response.status_code == 400 and sequence is None
    assert "Give the sequence a name" in response.text and "already uses this address" in response.text


def test_duplicating_copies_the_steps_as_drafts(client, db, settings) -> None:
    default = seeded(db, settings)
    post = sign_in_as(client, db, Role.EDITOR)
    assert f'value="{default.id}" selected' in client.get(f"/admin/sequences/new?from={default.id}").text
    post("/admin/sequences/new", **{**NEW, "source": str(default.id)})
    copy = db.scalars(select(Sequence).where(Sequence.slug == "sleep-and-pain")).one()
    assert len(copy.steps) == 6 and all(not s.versions for s in copy.steps)
    assert post("/admin/sequences/new", **{**NEW, "slug": "x", "source": "999"}).status_code == 400


def test_renaming_and_archiving(client, db, settings) -> None:
    post, _, sequence = make_sequence(client, db, settings)
    response = post(f"/admin/sequences/{sequence.id}/settings", **{**NEW, "name": "Sleep", "slug": "sleep"})
    assert response.status_code == 303
    db.expire_all()
    assert (sequence.name, sequence.slug) == ("Sleep", "sleep")
    post(f"/admin/sequences/{sequence.id}/start")
    assert "cannot be started again" in client.get(f"/admin/sequences/{sequence.id}/archive").text
    db.expire_all()
    assert db.get_one(Sequence, sequence.id).status == SequenceStatus.ACTIVE  # asking changes nothing
    assert post(f"/admin/sequences/{sequence.id}/archive").status_code == 303
    assert client.get("/s/sleep").status_code == 404
    assert post(f"/admin/sequences/{sequence.id}/start").status_code == 409


def test_a_viewer_cannot_create_or_move(client, db, settings) -> None:
    sequence = seeded(db, settings)
    post = sign_in_as(client, db, Role.VIEWER)
    assert post("/admin/sequences/new", **NEW).status_code == 403
    assert post(f"/admin/steps/{sequence.steps[0].id}/move", to="2").status_code == 403
    assert "Move email 1 down" not in client.get(f"/admin/sequences/{sequence.id}").text


def test_signups_on_a_sequence_page_and_in_json_are_for_that_sequence(client, db, settings, run_jobs) -> None:
    post, _, sequence = make_sequence(client, db, settings)
    post(f"/admin/sequences/{sequence.id}/start")
    form = {"email": "ada@example.com", "consent": "yes", "sequence": "sleep-and-pain"}
    assert client.post("/subscribe", data=form).status_code == 303
    body = {"email": "bo@example.com", "consent": True, "sequence": "sleep-and-pain"}
    assert client.post("/subscribe", json=body).status_code == 202
    run_jobs()  # the job that decides each recorded signup
    records = db.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert [r.sequence_id for r in records] == [sequence.id, sequence.id]


def test_a_signup_for_an_unknown_sequence_is_refused_and_stores_nothing(
    client, db, settings, run_jobs
) -> None:
    seeded(db, settings)
    body = {"email": "bo@example.com", "consent": True, "sequence": "no-such-thing"}
    response = client.post("/subscribe", json=body)
    assert response.status_code == 400 and "sequence" in response.json["fields"]
    for slug in (["a", "list"], 7):
        assert client.post("/subscribe", json={**body, "sequence": slug}).status_code == 400
    form = {"email": "ada@example.com", "consent": "yes", "sequence": "no-such-thing"}
    assert client.post("/subscribe", data=form).status_code == 400
    run_jobs()
    assert db.scalars(select(ConsentRecord)).all() == []


def test_the_move_buttons_reorder_the_emails(client, db, settings) -> None:
    sequence = seeded(db, settings)
    post = sign_in_as(client, db, Role.EDITOR)
    first = sequence.steps[0]
    page = client.get(f"/admin/sequences/{sequence.id}").text
    assert 'aria-label="Move email 1 down"' in page and 'aria-label="Move email 2 up"' in page
    assert post(f"/admin/steps/{first.id}/move", to="2").status_code == 303
    db.expire_all()
    assert [s.id for s in db.scalars(select(Step).order_by(Step.position))][1] == first.id
    assert post(f"/admin/steps/{first.id}/move", to="99").status_code == 400
    assert post(f"/admin/steps/{first.id}/move", to="up").status_code == 400


def test_a_sequence_without_a_published_email_cannot_start(client, db, settings) -> None:
    seeded(db, settings)
    post = sign_in_as(client, db, Role.EDITOR)
    post("/admin/sequences/new", **NEW)
    made = db.scalars(select(Sequence).where(Sequence.slug == "sleep-and-pain")).one()
    response = post(f"/admin/sequences/{made.id}/start")
    assert response.status_code == 409 and "Publish at least one email" in response.text
    assert "That cannot be done now" in response.text and "Back to the admin" in response.text


def test_duplicate_a_step_and_read_its_versions(client, db, settings) -> None:
    sequence = seeded(db, settings)
    post = sign_in_as(client, db, Role.EDITOR)
    step = sequence.steps[0]
    response = post(f"/admin/steps/{step.id}/duplicate")
    assert response.status_code == 303 and re.search(r"/admin/steps/\d+$", response.headers["Location"])
    step.subject = "A better subject"
    publish_step(db, step, settings.clinic_timezone, START)
    db.commit()
    page = client.get(f"/admin/steps/{step.id}/versions")
    assert "Changes from v1 to v2" in page.text and "added: </span>+ A better subject" in page.text
    assert client.get(f"/admin/steps/{step.id}/versions?from=9").status_code == 404
    assert client.get(f"/admin/steps/{step.id}/versions?from=x").status_code == 400
    assert post(f"/admin/steps/{step.id}/versions/1/restore").status_code == 303
    db.expire_all()
    assert db.get_one(Step, step.id).subject != "A better subject"


def test_a_second_subject_is_saved_and_a_winner_picked(client, db, settings) -> None:
    from tests.test_step_editor import form_for

    sequence = seeded(db, settings)
    post = sign_in_as(client, db, Role.EDITOR)
    step = sequence.steps[0]
    fields = form_for(step, subject_b="Where to begin", ab_sample_size="100")
    assert post(f"/admin/steps/{step.id}", **fields).status_code == 303
    assert post(f"/admin/steps/{step.id}/publish").status_code == 303
    page = client.get(f"/admin/steps/{step.id}").text
    assert "Subject test" in page and "Send everyone subject B" in page
    assert post(f"/admin/steps/{step.id}/winner", variant="b").status_code == 303
    assert post(f"/admin/steps/{step.id}/winner", variant="z").status_code == 400
    db.expire_all()
    assert db.get_one(Step, step.id).ab_winner == "b"
    assert post(f"/admin/steps/{step.id}", **form_for(step, ab_sample_size="3")).status_code == 400


def test_a_sequence_page_asks_consent_for_that_series_not_the_main_one(
    client, db, settings, run_jobs
) -> None:
    post, _, sequence = make_sequence(client, db, settings)
    post(f"/admin/sequences/{sequence.id}/start")
    page = client.get("/s/sleep-and-pain").text
    assert "email series \u201cSleep and pain\u201d" in page and "about six" not in page
    form = {"email": "ada@example.com", "consent": "yes", "sequence": "sleep-and-pain"}
    assert client.post("/subscribe", data=form).status_code == 303
    run_jobs()
    [record] = db.scalars(select(ConsentRecord)).all()
    assert "\u201cSleep and pain\u201d" in record.consent_text and "six" not in record.consent_text
    assert "about six over three weeks" in client.get("/").text  # the main page keeps its own words


def test_moving_an_email_and_starting_a_sequence_say_what_they_did(client, db, settings) -> None:
    _, _, sequence = make_sequence(client, db, settings)
    assert "is started" in client.post(f"/admin/sequences/{sequence.id}/start", follow_redirects=True).text
    default = db.scalars(select(Sequence).where(Sequence.is_default)).one()
    page = client.post(f"/admin/steps/{default.steps[0].id}/move", data={"to": "2"}, follow_redirects=True)
    assert "Moved to place 2" in page.text
