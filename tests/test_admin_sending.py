"""The admin's sending controls: pause and resume a sequence, resume after a provider outage."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts import create_user
from campaigns.alerts import raise_outage, sending_paused
from campaigns.models import AuditLog, Sequence
from campaigns.statuses import Role, SequenceStatus
from tests.factories import seeded

PASSWORD = "a long enough password"


def signed_in(client, db: Session, role: Role) -> None:
    email = f"{role}.user@clinic.example"  # the seeded admin is admin@clinic.example
    create_user(db, email, role, PASSWORD, datetime.now(UTC))
    db.commit()
    page = client.get("/admin/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/admin/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


def csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/").text).group(1)


def test_an_editor_pauses_and_resumes_a_sequence(client, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    signed_in(client, db, Role.EDITOR)
    assert "Pause this sequence" in client.get("/admin/").text
    response = client.post(f"/admin/sequences/{sequence.id}/pause", data={"csrf_token": csrf(client)})
    assert response.status_code == 303
    db.expire_all()
    assert db.get_one(Sequence, sequence.id).status == SequenceStatus.PAUSED
    assert "Resume this sequence" in client.get("/admin/").text
    client.post(f"/admin/sequences/{sequence.id}/resume", data={"csrf_token": csrf(client)})
    db.expire_all()
    assert db.get_one(Sequence, sequence.id).status == SequenceStatus.ACTIVE
    actions = [a.action for a in db.scalars(select(AuditLog).order_by(AuditLog.id)) if a.action != "sign_in"]
    assert actions == ["sequence.paused", "sequence.active"]


def test_a_viewer_may_look_but_not_pause(client, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    signed_in(client, db, Role.VIEWER)
    assert "Pause this sequence" not in client.get("/admin/").text
    response = client.post(f"/admin/sequences/{sequence.id}/pause", data={"csrf_token": csrf(client)})
    assert response.status_code == 403
    db.expire_all()
    assert db.get_one(Sequence, sequence.id).status == SequenceStatus.ACTIVE


def test_pausing_needs_the_forms_token_and_a_real_sequence(client, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    signed_in(client, db, Role.ADMIN)
    assert client.post(f"/admin/sequences/{sequence.id}/pause", data={"csrf_token": ""}).status_code == 400
    assert client.post("/admin/sequences/9999/pause", data={"csrf_token": csrf(client)}).status_code == 404
    question = client.get(f"/admin/sequences/{sequence.id}/pause")  # asks first, and changes nothing
    assert question.status_code == 200 and "Pause “Understanding fibromyalgia”?" in question.text


def test_an_outage_shows_on_the_dashboard_and_an_admin_resumes_sending(client, db: Session, settings) -> None:
    seeded(db, settings)
    raise_outage(db, "SendGrid 401: The provided authorization grant is invalid", datetime.now(UTC))
    db.commit()
    signed_in(client, db, Role.ADMIN)
    page = client.get("/admin/").text
    assert "Sending is paused" in page and "authorization grant is invalid" in page
    client.post("/admin/sending/resume", data={"csrf_token": csrf(client)})
    db.expire_all()
    assert sending_paused(db) is None
    assert "Sending is paused" not in client.get("/admin/").text


def test_only_an_admin_resumes_sending(client, db: Session, settings) -> None:
    seeded(db, settings)
    raise_outage(db, "SendGrid 403: sender not verified", datetime.now(UTC))
    db.commit()
    signed_in(client, db, Role.EDITOR)
    assert "resume sending" not in client.get("/admin/").text
    assert client.post("/admin/sending/resume", data={"csrf_token": csrf(client)}).status_code == 403
    db.expire_all()
    assert sending_paused(db) is not None
