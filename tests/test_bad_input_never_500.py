"""Hostile input seen in the wild gets a plain 4xx, never a 500, and nothing is stored half-way."""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Conversion, Event, Send, Step
from campaigns.statuses import Role
from tests.conftest import make_settings
from tests.factories import active_subscriber, seeded
from tests.signup_helpers import JSON, counts
from tests.test_consultation import make_token
from tests.test_step_editor import first_step, form_for, sign_in_as
from tests.test_tick import tick
from tests.test_webhook import PUBLIC, event, post
from web import create_app

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


@pytest.fixture
def hooked(settings, tmp_path):
    """A client of an app whose SendGrid webhook is configured."""
    configured = make_settings(
        tmp_path,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url or "",
        SENDGRID_WEBHOOK_PUBLIC_KEY=PUBLIC,
    )
    app = create_app(configured)
    yield app.test_client()
    app.extensions["nurture"]["engine"].dispose()


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
def test_deeply_nested_json_gets_a_400(client, db: Session, settings, runner, body) -> None:
    seeded(db, settings)
    token = make_token(runner, "write")
    json_type = {"Content-Type": "application/json"}
    assert client.post("/subscribe", data=body, headers=json_type).status_code == 400
    response = client.post(
        "/api/v1/conversions", data=body, headers={**json_type, "Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert counts(db) == (0, 0) and db.scalars(select(Conversion)).all() == []


def test_deeply_nested_json_to_the_webhook_gets_a_400(hooked, db: Session) -> None:
    assert post(hooked, [], body=DEEP.encode()).status_code == 400
    assert db.scalars(select(Event)).all() == []


@pytest.mark.parametrize("stamp", ["²", "1" * 400, "-5", "12 ", "٣٣٣"])
def test_odd_webhook_timestamps_get_a_403(hooked, stamp: str) -> None:
    headers = {
        "X-Twilio-Email-Event-Webhook-Signature": "MEUCIQ==",
        "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        "Content-Type": "application/json",
    }
    assert hooked.post("/webhooks/sendgrid", data=b"[]", headers=headers).status_code == 403


def test_one_bad_webhook_event_is_skipped_and_logged_the_rest_apply(
    hooked, db: Session, settings, run_jobs, caplog
) -> None:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    send = db.scalars(select(Send)).one()
    events = [
        {**event(send, "delivered", "bad-1"), "send_id": "9" * 30},  # beyond any 64-bit id
        {**event(send, "open", "bad-2"), "timestamp": 10**30},
        event(send, "delivered", "good-1"),
    ]
    assert post(hooked, events).status_code == 200
    with caplog.at_level(logging.WARNING):
        run_jobs()
    db.expire_all()
    kinds = sorted(e.kind for e in db.scalars(select(Event)))
    assert "provider.delivered" in kinds
    assert db.get_one(Send, send.id).delivered_at is not None  # the good event was applied
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
    skipped = [r.getMessage() for r in caplog.records if "skipped webhook event" in r.getMessage()]
    assert len(skipped) == 2 and "send_id" in skipped[0] and "timestamp" in skipped[1]


def test_a_nul_byte_in_any_admin_text_field_gets_a_400(client, db: Session, settings) -> None:
    seeded(db, settings)
    token = client.get("/admin/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    for field in ("email", "password"):
        data = {"email": "admin@clinic.example", "password": "x", "csrf_token": token, field: "ad\x00min"}
        response = client.post("/admin/login", data=data)
        assert response.status_code == 400 and "NUL" in response.text
    post_as_editor = sign_in_as(client, db, Role.EDITOR)
    step = first_step(db)
    for field in ("subject", "preheader", "body"):
        response = post_as_editor(f"/admin/steps/{step.id}", **form_for(step, **{field: "Hi\x00 there"}))
        assert response.status_code == 400, field
    db.expire_all()
    assert "\x00" not in db.get_one(Step, step.id).body


def test_a_nul_byte_in_signup_and_consultation_fields_names_the_field(client, db: Session) -> None:
    assert client.post("/subscribe", json={**JSON, "first_name": "A\x00da"}).status_code == 400
    page = client.post(
        "/subscribe", data={"email": "ada@example.com", "first_name": "A\x00", "consent": "yes"}
    )
    assert page.status_code == 400 and "first name" in page.text
    assert counts(db) == (0, 0)


def test_ids_beyond_64_bits_in_admin_urls_are_404(client, db: Session, settings) -> None:
    seeded(db, settings)
    sign_in_as(client, db, Role.EDITOR)
    for path in (
        "/admin/steps/99999999999999999999",
        "/admin/steps/99999999999999999999/preview",
        "/admin/sequences/99999999999999999999",
        f"/admin/steps/{2**63}",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("target", ["/admin/\r\nSet-Cookie: x=1", "/admin\n", "/admin/%0d%0a"])
def test_a_line_break_in_the_login_next_never_reaches_a_header(client, db: Session, settings, target) -> None:
    seeded(db, settings)
    post_as_editor = sign_in_as(client, db, Role.EDITOR)
    assert post_as_editor  # signed in; now sign in again with a hostile `next`
    page = client.get("/admin/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/admin/login",
        data={
            "email": "editor.user@clinic.example",
            "password": "a long enough password",
            "csrf_token": token,
            "next": target,
        },
    )
    assert response.status_code in (302, 303)
    assert "\n" not in response.headers["Location"] and "\r" not in response.headers["Location"]
    assert "Set-Cookie: x=1" not in str(response.headers)


@pytest.mark.parametrize("field", ["name", "phone", "preferred_time"])
def test_a_newline_in_an_api_conversion_field_gets_a_400(client, db, settings, runner, field) -> None:
    seeded(db, settings)
    token = make_token(runner, "write")
    body = {"email": "ada@example.com", field: "one\ntwo"}
    response = client.post("/api/v1/conversions", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert field in {error["field"] for error in response.json["errors"]}
    assert db.scalars(select(Conversion)).all() == []
    body = {"email": "ada@example.com", "message": "line one\nline two"}  # a message may have lines
    response = client.post("/api/v1/conversions", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        "{{ " + "(" * 100 + "first_name" + ")" * 100 + " }}",
        "{% if first_name %}" * 400 + "x" + "{% endif %}" * 400,
        "{{ " + "(" * 3000 + "first_name" + ")" * 3000 + " }}",
    ],
)
def test_deep_template_nesting_is_a_content_problem(client, db: Session, settings, body) -> None:
    seeded(db, settings)
    post_as_editor = sign_in_as(client, db, Role.EDITOR)
    step = first_step(db)
    before = step.body
    start = time.monotonic()
    response = post_as_editor(f"/admin/steps/{step.id}", **form_for(step, body=body))
    assert response.status_code == 400
    assert "nested too deeply" in response.text or "body" in response.text
    assert time.monotonic() - start < 30
    db.expire_all()
    assert db.get_one(Step, step.id).body == before


def test_webhook_events_that_are_not_json_numbers_where_expected_are_skipped(
    hooked, db: Session, settings, run_jobs
) -> None:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    send = db.scalars(select(Send)).one()
    weird = [
        {**event(send, "delivered", "w1"), "send_id": "²"},
        {**event(send, "delivered", "w2"), "send_id": "-1"},
        {**event(send, "bounce", "w3"), "email": {"not": "text"}},
        {**event(send, "click", "w4"), "timestamp": json.loads("1e400")},
    ]
    assert post(hooked, weird).status_code == 200
    run_jobs()
    db.expire_all()
    assert db.get_one(Send, send.id).status.value == "sent"
