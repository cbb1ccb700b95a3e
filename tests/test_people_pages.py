"""The people pages over HTTP: who may read and act, bad input gets a 4xx, GETs change nothing."""

from __future__ import annotations

import re

from sqlalchemy import select

from campaigns.accounts import create_user
from campaigns.models import AuditLog, ImportRun, Subscriber, Suppression
from campaigns.statuses import ImportStatus, Role, SubscriberStatus
from tests.factories import START, active_subscriber, seeded

PASSWORD = "correct horse battery staple"


def signed_in(client, db, role: Role) -> str:
    """Sign in a user of `role`; return the CSRF token for forms."""
    email = f"{role}-staff@clinic.example"
    create_user(db, email, role, PASSWORD, START)
    db.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/login").text).group(1)
    client.post("/admin/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/subscribers").text).group(1)


def test_a_viewer_reads_but_cannot_act(client, db, settings) -> None:
    ada, _ = active_subscriber(db, seeded(db, settings))
    token = signed_in(client, db, Role.VIEWER)
    page = client.get("/admin/subscribers?q=ada")
    assert page.status_code == 200 and "ada@example.com" in page.text
    person = client.get(f"/admin/subscribers/{ada.id}")
    assert (
        person.status_code == 200 and "Timeline" in person.text and "Suppress this address" not in person.text
    )
    refused = client.post(f"/admin/subscribers/{ada.id}/suppress", data={"reason": "x", "csrf_token": token})
    assert refused.status_code == 403
    assert client.get(f"/admin/subscribers/{ada.id}/erase").status_code == 403
    assert db.scalars(select(Suppression)).all() == []


def test_a_person_s_page_says_when_their_next_email_is_due(client, db, settings) -> None:
    ada, enrollment = active_subscriber(db, seeded(db, settings))
    signed_in(client, db, Role.VIEWER)
    due = enrollment.next_send_at.strftime("%Y-%m-%d %H:%M UTC")
    assert f"next: email 1, due {due}" in client.get(f"/admin/subscribers/{ada.id}").text


def test_an_editor_acts_and_every_action_is_audited(client, db, settings) -> None:
    ada, _ = active_subscriber(db, seeded(db, settings))
    token = signed_in(client, db, Role.EDITOR)
    done = client.post(
        f"/admin/subscribers/{ada.id}/suppress", data={"reason": "asked by phone", "csrf_token": token}
    )
    assert done.status_code == 303
    assert "suppression list" in client.get(done.headers["Location"]).text
    assert (
        client.post(
            f"/admin/subscribers/{ada.id}/suppress", data={"reason": "x", "csrf_token": ""}
        ).status_code
        == 400
    )  # no token
    blank = client.post(f"/admin/subscribers/{ada.id}/suppress", data={"reason": " ", "csrf_token": token})
    assert blank.status_code == 400 and "reason" in blank.text
    assert (
        client.post(f"/admin/subscribers/{ada.id}/privacy-export", data={"csrf_token": token}).status_code
        == 403
    )
    actions = db.scalars(select(AuditLog.action).where(AuditLog.action != "sign_in")).all()
    assert actions == ["subscriber.suppress"]


def test_bad_search_input_gets_a_clear_400_never_a_500(client, db, settings) -> None:
    seeded(db, settings)
    signed_in(client, db, Role.VIEWER)
    for query in ("status=gone", "sequence=nope", "source=fax", "after=abc", "after=" + "9" * 40, "q=%00"):
        assert client.get(f"/admin/subscribers?{query}").status_code == 400, query
    assert client.get("/admin/suppressions?reason=bogus").status_code == 400
    assert client.get("/admin/subscribers/999999").status_code == 404


def test_an_admin_erases_only_after_typing_the_address(client, db, settings) -> None:
    ada, _ = active_subscriber(db, seeded(db, settings))
    token = signed_in(client, db, Role.ADMIN)
    exported = client.post(f"/admin/subscribers/{ada.id}/privacy-export", data={"csrf_token": token})
    assert exported.status_code == 200 and exported.json["profile"]["email"] == "ada@example.com"
    assert "Type the address" in client.get(f"/admin/subscribers/{ada.id}/erase").text
    wrong = client.post(
        f"/admin/subscribers/{ada.id}/erase", data={"confirm_email": "bob@x.org", "csrf_token": token}
    )
    assert wrong.status_code == 400
    db.expire_all()
    assert db.get_one(Subscriber, ada.id).status == SubscriberStatus.ACTIVE
    right = client.post(
        f"/admin/subscribers/{ada.id}/erase", data={"confirm_email": "ada@example.com", "csrf_token": token}
    )
    assert right.status_code == 303
    db.expire_all()
    assert db.get_one(Subscriber, ada.id).status == SubscriberStatus.ERASED
    assert db.scalars(
        select(AuditLog.action).where(AuditLog.action != "sign_in").order_by(AuditLog.id)
    ).all() == [
        "privacy.export",
        "privacy.erase",
    ]


def test_an_upload_becomes_a_draft_and_a_bad_mapping_or_missing_consent_source_is_refused(
    client, db, settings
) -> None:
    import io

    seeded(db, settings)
    token = signed_in(client, db, Role.EDITOR)
    data = {"csrf_token": token, "file": (io.BytesIO(b"Email,Name\nada@example.com,Ada\n"), "people.csv")}
    uploaded = client.post("/admin/imports", data=data, content_type="multipart/form-data")
    assert uploaded.status_code == 303
    draft = client.get(uploaded.headers["Location"])
    assert "ada@example.com" in draft.text and "consent_source" in draft.text
    run = db.scalars(select(ImportRun)).one()
    start = f"/admin/imports/{run.id}/start"
    no_source = client.post(start, data={"csrf_token": token, "column_email": "Email", "consent_source": ""})
    assert no_source.status_code == 400 and "consent source" in no_source.text
    bad_column = client.post(
        start, data={"csrf_token": token, "column_email": "Nope", "consent_source": "paper forms"}
    )
    assert bad_column.status_code == 400
    db.expire_all()
    assert db.get_one(ImportRun, run.id).status == ImportStatus.DRAFT
    empty = client.post(
        "/admin/imports",
        data={"csrf_token": token, "file": (io.BytesIO(b""), "e.csv")},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 400
