"""Booking a consultation ends the sequence at once, through the form or a booking tool's API call."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.db import make_session_factory
from campaigns.models import Conversion, Enrollment
from campaigns.providers import provider_for
from campaigns.statuses import EnrollmentStatus
from campaigns.tick import run_tick
from tests.conftest import engine_for
from tests.factories import START, active_subscriber, outbox_messages, seeded
from tests.test_tracked_links import drained

FORM = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+1 207 555 0100",
    "time": "morning",
    "message": "Mornings are best.",
    "consent": "yes",
}


def walk_to_last_email(settings) -> None:
    sessions = make_session_factory(engine_for(settings.database_url))
    for day in range(0, 30):
        run_tick(sessions, settings, provider_for(settings), START + timedelta(days=day))


def test_the_last_email_leads_to_the_form_and_booking_ends_the_sequence(
    client, db, settings, run_jobs, redis
) -> None:
    subscriber, enrollment = active_subscriber(db, seeded(db, settings))
    walk_to_last_email(settings)
    last = outbox_messages(settings.outbox_dir)[-1]
    text = last.get_body(preferencelist=("plain",)).get_content()
    click_url = re.search(r"\[1\] (\S+/t/c/\S+)", text).group(1)
    redirect = client.get("/" + click_url.split("/", 3)[3])
    assert redirect.status_code == 302 and "/consultation?" in redirect.headers["Location"]
    form_url = "/" + redirect.headers["Location"].split("/", 3)[3]
    assert "Request a consultation" in client.get(form_url).text
    token = re.search(r"s=([\w.-]+)", form_url).group(1)
    drained(client, settings, redis)  # the click is recorded
    response = client.post("/consultation", data={**FORM, "s": token, "email": "other@example.com"})
    assert response.status_code == 303 and response.headers["Location"] == "/consultation/thanks"

    conversion = db.scalars(select(Conversion)).one()
    assert conversion.subscriber_id == subscriber.id  # found by the signed link, whatever email was typed
    assert conversion.attributed_step_id == last_step_id(db)
    assert conversion.details["consent_text"].startswith("I agree that Harbor Regenerative Clinic")
    db.expire_all()
    assert db.get_one(Enrollment, enrollment.id).status != EnrollmentStatus.ACTIVE  # nothing more is sent

    sequence_emails = {m["Message-ID"] for m in outbox_messages(settings.outbox_dir)}
    run_jobs()
    sent = [m for m in outbox_messages(settings.outbox_dir) if m["Message-ID"] not in sequence_emails]
    assert sorted(m["To"] for m in sent) == ["care@clinic.example", "other@example.com"]
    assert {m["Subject"] for m in sent} == {
        "We received your consultation request",
        "New consultation request",
    }


def last_step_id(db: Session) -> int:
    return db.scalars(select(Enrollment)).one().sequence.steps[-1].id


def test_a_booking_by_address_alone_finds_the_subscriber(client, db, settings) -> None:
    subscriber, enrollment = active_subscriber(db, seeded(db, settings))
    client.post("/consultation", data=FORM)
    db.expire_all()
    assert db.scalars(select(Conversion)).one().subscriber_id == subscriber.id
    assert db.get_one(Enrollment, enrollment.id).status == EnrollmentStatus.EXITED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "tell us your name"),
        ({"name": "Ada\r\nBcc: x@example.com"}, "on one line"),
        ({"email": "ada"}, "not valid"),
        ({"phone": "call me maybe"}, "phone number"),
        ({"time": "midnight"}, "when we may contact you"),
        ({"message": "x" * 2001}, "2000 characters"),
        ({"consent": ""}, "tick the box"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_stored(client, db, settings, changes, message) -> None:
    seeded(db, settings)
    response = client.post("/consultation", data={**FORM, **changes})
    assert response.status_code == 400 and message in response.text
    assert db.scalars(select(Conversion)).all() == []


def test_a_forged_link_token_is_ignored_not_trusted(client, db, settings) -> None:
    seeded(db, settings)
    client.post("/consultation", data={**FORM, "s": "WzFd.AAAAAAA.forged"})
    assert db.scalars(select(Conversion)).one().subscriber_id is None


def make_token(runner, scope: str) -> str:
    output = runner.invoke(args=["api-token", "create", "booking tool", "--scope", scope]).output
    return re.search(r"(nt_\S+)", output).group(1)


def test_a_booking_tool_records_a_conversion_through_the_api(client, db, settings, runner) -> None:
    _, enrollment = active_subscriber(db, seeded(db, settings))
    token = make_token(runner, "write")
    response = client.post(
        "/api/v1/conversions",
        json={"email": "Ada@Example.com", "name": "Ada"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201 and response.json["subscriber_found"] is True
    db.expire_all()
    assert db.get_one(Enrollment, enrollment.id).exit_reason == "booked"
    assert db.scalars(select(Conversion)).one().source == "api"


def test_the_api_refuses_missing_wrong_read_only_and_revoked_tokens(client, db, settings, runner) -> None:
    seeded(db, settings)
    body = {"email": "ada@example.com"}
    assert client.post("/api/v1/conversions", json=body).status_code == 401
    assert (
        client.post(
            "/api/v1/conversions", json=body, headers={"Authorization": "Bearer nt_wrong"}
        ).status_code
        == 401
    )
    reader = make_token(runner, "read")
    assert (
        client.post(
            "/api/v1/conversions", json=body, headers={"Authorization": f"Bearer {reader}"}
        ).status_code
        == 403
    )
    writer = make_token(runner, "write")
    runner.invoke(args=["api-token", "revoke", "2"])
    assert (
        client.post(
            "/api/v1/conversions", json=body, headers={"Authorization": f"Bearer {writer}"}
        ).status_code
        == 401
    )
    assert db.scalars(select(Conversion)).all() == []


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"email": "nope"},
        {"email": "ada@example.com", "admin": True},
        {"email": "a@b.co", "name": 5},
        {"email": "a@b.co", "message": "x" * 2001},
    ],
)
def test_bad_api_bodies_get_a_400_naming_the_field(client, db, settings, runner, body) -> None:
    seeded(db, settings)
    token = make_token(runner, "write")
    response = client.post("/api/v1/conversions", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert db.scalars(select(Conversion)).all() == []
