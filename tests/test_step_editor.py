"""The marketer's step editor: validated drafts, previews, tests, and publishing past the claims check."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts import create_user
from campaigns.models import AuditLog, ClinicProfile, Step, StepVersion
from campaigns.settings import SAMPLE_POSTAL_ADDRESS
from campaigns.statuses import Role
from campaigns.template_rules import CONTENT_VARIABLES
from tests.factories import seeded

PASSWORD = "a long enough password"


@pytest.fixture
def editor(client, db: Session, settings):
    """A signed-in editor, on a seeded database; returns a function that posts with the CSRF token."""
    seeded(db, settings)
    return sign_in_as(client, db, Role.EDITOR)


def sign_in_as(client, db: Session, role: Role):
    email = f"{role}.user@clinic.example"
    create_user(db, email, role, PASSWORD, datetime.now(UTC))
    db.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/login").text).group(1)
    client.post("/admin/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/").text).group(
        1
    )  # a new session

    def post(path: str, **data: str):
        return client.post(path, data={"csrf_token": token, **data})

    return post


def form_for(step: Step, **changes: str) -> dict[str, str]:
    fields = {
        "subject": step.subject,
        "preheader": step.preheader,
        "body": step.body,
        "delay_days": "3",
        "delay_hours": "0",
        "window_start_hour": "9",
        "window_end_hour": "17",
        **{f"day{d}": "on" for d in range(5)},
    }
    return {**fields, **changes}


def first_step(db: Session) -> Step:
    db.expire_all()
    return db.scalars(select(Step).order_by(Step.position)).first()


def test_the_editor_shows_the_draft_its_claims_check_and_previews(client, db, editor) -> None:
    step = first_step(db)
    page = client.get(f"/admin/steps/{step.id}")
    assert page.status_code == 200
    assert "The claims check found nothing risky" in page.text
    assert "Desktop preview" in page.text and "Phone preview" in page.text
    preview = client.get(f"/admin/steps/{step.id}/preview")
    assert "Hi Alex," in preview.text
    assert "style-src 'unsafe-inline'" in preview.headers["Content-Security-Policy"]


def test_saving_valid_content_updates_the_draft_only(client, db, editor) -> None:
    step = first_step(db)
    response = editor(f"/admin/steps/{step.id}", **form_for(step, subject="Welcome to the series"))
    assert response.status_code == 303
    saved = first_step(db)
    assert saved.subject == "Welcome to the series"
    assert saved.delay_minutes == 3 * 1440 and saved.window_weekdays == 0b11111
    assert (
        db.scalars(select(StepVersion).where(StepVersion.step_id == step.id)).one().subject != saved.subject
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hi {{ ''.__class__.__mro__ }}", "attribute access"),
        ("Line one\n\nHi {{ config }}", "line 3: unknown variable &#39;config&#39;"),
        ("{% for x in range(9) %}{% endfor %}", "a loop is not allowed"),
        ("Hi {{ first_name }}", "some subscribers give no first name"),
        ("{{ unclosed", "line 1"),
    ],
)
def test_bad_content_is_refused_with_its_line_and_nothing_is_saved(client, db, editor, body, message) -> None:
    step = first_step(db)
    before = step.body
    response = editor(f"/admin/steps/{step.id}", **form_for(step, body=body))
    assert response.status_code == 400
    assert message in response.text
    assert first_step(db).body == before
    assert "found nothing risky" not in response.text, "no all-clear while the draft has errors"
    assert "The claims check runs once the problems above are fixed" in response.text


def test_the_body_label_lists_every_variable_the_content_may_use(client, db, editor) -> None:
    label = re.search(
        r'<label for="body">(.*?)</label>', client.get(f"/admin/steps/{first_step(db).id}").text
    )
    for name in CONTENT_VARIABLES:
        assert f"<code>{{{{ {name} }}}}</code>" in label.group(1), name


@pytest.mark.parametrize(
    ("field", "value"),
    [("delay_days", "soon"), ("window_start_hour", "25"), ("delay_hours", "-1")],
)
def test_bad_schedule_values_are_refused(client, db, editor, field, value) -> None:
    step = first_step(db)
    assert editor(f"/admin/steps/{step.id}", **form_for(step, **{field: value})).status_code == 400


def test_a_bad_number_is_named_in_the_editor_which_keeps_what_was_typed(client, db, editor) -> None:
    step = first_step(db)
    saved = (step.subject, step.delay_minutes, step.window_end_hour)
    typed = form_for(step, subject="Typed just now", delay_days="soon", window_end_hour="\uff12\uff14")
    response = editor(f"/admin/steps/{step.id}", **typed)
    assert response.status_code == 400
    assert "days after the previous email: must be a whole number from 0 to 365" in response.text
    assert "hour sending ends: must be a whole number from 1 to 24" in response.text  # full-width digits
    assert 'value="Typed just now"' in response.text and 'value="soon"' in response.text
    step = first_step(db)
    assert (step.subject, step.delay_minutes, step.window_end_hour) == saved  # nothing stored half-way


def test_a_window_without_days_is_refused(client, db, editor) -> None:
    step = first_step(db)
    form = {k: v for k, v in form_for(step).items() if not k.startswith("day")}
    response = editor(f"/admin/steps/{step.id}", **form)
    assert response.status_code == 400 and "at least one weekday" in response.text


def test_a_softer_warning_is_shown_with_a_safer_wording_and_does_not_block(client, db, editor) -> None:
    step = first_step(db)
    editor(f"/admin/steps/{step.id}", **form_for(step, body="The procedure uses your own cells.\n"))
    page = client.get(f"/admin/steps/{step.id}").text
    assert "“your own cells” in the body, line 1" in page
    assert "Describe the procedure and its risks plainly" in page
    response = editor(f"/admin/steps/{step.id}/publish")
    assert response.status_code == 303  # warnings do not block
    assert len(db.scalars(select(StepVersion).where(StepVersion.step_id == step.id)).all()) == 2


def test_a_structural_blocker_needs_an_admins_recorded_reason(client, db, settings) -> None:
    seeded(db, settings)
    profile = db.scalars(select(ClinicProfile)).one()
    profile.postal_address = SAMPLE_POSTAL_ADDRESS
    db.commit()
    post = sign_in_as(client, db, Role.ADMIN)
    step = first_step(db)
    refused = post(f"/admin/steps/{step.id}/publish")
    assert refused.status_code == 409 and "postal-address" in refused.text
    allowed = post(f"/admin/steps/{step.id}/publish", override_reason="Address is being registered this week")
    assert allowed.status_code == 303
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "step.publish")).one()
    assert entry.detail["override_reason"] == "Address is being registered this week"


def test_an_editor_cannot_override_a_blocker(client, db, settings) -> None:
    seeded(db, settings)
    db.scalars(select(ClinicProfile)).one().postal_address = ""
    db.commit()
    post = sign_in_as(client, db, Role.EDITOR)
    step = first_step(db)
    assert post(f"/admin/steps/{step.id}/publish", override_reason="I really want to").status_code == 409


def test_a_viewer_can_read_but_not_change(client, db, settings) -> None:
    seeded(db, settings)
    post = sign_in_as(client, db, Role.VIEWER)
    step = first_step(db)
    assert client.get(f"/admin/steps/{step.id}").status_code == 200
    assert post(f"/admin/steps/{step.id}", **form_for(step, subject="x")).status_code == 403
    assert post(f"/admin/steps/{step.id}/publish").status_code == 403


def test_adding_and_deleting_an_email(client, db, editor) -> None:
    sequence_id = first_step(db).sequence_id
    response = editor(f"/admin/sequences/{sequence_id}/steps", position="2")
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert db.get_one(Step, new_id).position == 2
    editor(f"/admin/steps/{new_id}/delete")
    db.expire_all()
    assert db.get_one(Step, new_id).deleted_at is not None
    gone = client.get(f"/admin/steps/{new_id}")
    assert gone.status_code == 404 and 'href="/admin/">Back to the admin' in gone.text


def test_send_me_a_test_delivers_the_draft_to_the_marketer(client, db, editor, run_jobs, settings) -> None:
    from tests.factories import outbox_messages

    step = first_step(db)
    editor(f"/admin/steps/{step.id}/test")
    run_jobs()
    [message] = outbox_messages(settings.outbox_dir)
    assert message["To"] == "editor.user@clinic.example"
    assert message["Subject"].startswith("[Test] ")
