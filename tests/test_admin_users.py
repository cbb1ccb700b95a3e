"""Users and roles: admins add, change, deactivate and reset; everyone changes their own password."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import AuditLog, User
from campaigns.statuses import Role
from tests.admin_helpers import PASSWORD, make_user, sign_in
from tests.conftest import form_client
from tests.factories import outbox_messages


def admin_and_editor(client, db: Session) -> tuple[User, User]:
    boss = make_user(db, "boss@clinic.example", Role.ADMIN)
    editor = make_user(db, "ed@clinic.example", Role.EDITOR)
    sign_in(client, "boss@clinic.example")
    return boss, editor


def test_an_editor_cannot_open_the_users_page(client, db: Session) -> None:
    make_user(db, "ed@clinic.example", Role.EDITOR)
    sign_in(client, "ed@clinic.example")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users", data={"email": "x@clinic.example", "role": "admin"}).status_code == 403
    assert db.scalars(select(User).where(User.email == "x@clinic.example")).all() == []


def test_an_admin_adds_a_user_with_a_password_shown_once(client, app, db: Session) -> None:
    admin_and_editor(client, db)
    data = {"email": "New.Person@clinic.example", "role": "viewer", "delivery": "shown"}
    page = client.post("/admin/users", data=data)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret" id="password">([^<]+)</code>', page.text).group(1)
    other = form_client(app)
    assert sign_in(other, "new.person@clinic.example", password).status_code == 303
    assert "viewer" in other.get("/admin/").text
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "user.add")).one()
    assert entry.detail == {"email": "new.person@clinic.example", "role": "viewer"}


def test_a_bad_or_taken_email_is_refused_by_field(client, db: Session) -> None:
    admin_and_editor(client, db)
    bad = client.post("/admin/users", data={"email": "not an email", "role": "editor", "delivery": "link"})
    assert bad.status_code == 400 and "not an email address" in bad.text
    taken = client.post(
        "/admin/users", data={"email": "ed@clinic.example", "role": "editor", "delivery": "link"}
    )
    assert taken.status_code == 400 and "already exists" in taken.text
    forged = client.post(
        "/admin/users", data={"email": "z@clinic.example", "role": "owner", "delivery": "link"}
    )
    assert forged.status_code == 400
    assert db.scalars(select(User).where(User.email == "z@clinic.example")).all() == []


def test_a_role_change_signs_the_user_out_and_is_audited(client, app, db: Session) -> None:
    _, editor = admin_and_editor(client, db)
    theirs = form_client(app)
    sign_in(theirs, "ed@clinic.example")
    assert theirs.get("/admin/").status_code == 200
    answer = client.post(f"/admin/users/{editor.id}/role", data={"role": "viewer"}, follow_redirects=True)
    assert "is now viewer" in answer.text
    assert theirs.get("/admin/").status_code == 302
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "user.role")).one()
    assert (entry.detail["old"], entry.detail["new"]) == ("editor", "viewer")


def test_deactivation_asks_first_then_ends_the_session(client, app, db: Session) -> None:
    _, editor = admin_and_editor(client, db)
    theirs = form_client(app)
    sign_in(theirs, "ed@clinic.example")
    question = client.get(f"/admin/users/{editor.id}/deactivate")
    assert question.status_code == 200 and "Deactivate ed@clinic.example?" in question.text
    db.expire_all()
    assert db.get_one(User, editor.id).is_active  # asking changed nothing
    done = client.post(f"/admin/users/{editor.id}/deactivate", follow_redirects=True)
    assert "is deactivated and was signed out everywhere" in done.text
    assert theirs.get("/admin/").status_code == 302
    assert sign_in(form_client(app), "ed@clinic.example").status_code == 401
    client.post(f"/admin/users/{editor.id}/reactivate")
    assert sign_in(form_client(app), "ed@clinic.example").status_code == 303


def test_the_last_admin_cannot_be_demoted_or_deactivate_themselves(client, db: Session) -> None:
    boss, _ = admin_and_editor(client, db)
    assert client.post(f"/admin/users/{boss.id}/role", data={"role": "editor"}).status_code == 409
    assert client.post(f"/admin/users/{boss.id}/deactivate").status_code == 409
    db.expire_all()
    assert db.get_one(User, boss.id).role == Role.ADMIN


def test_a_set_password_link_works_once(client, app, db: Session, settings, run_jobs) -> None:
    admin_and_editor(client, db)
    client.post("/admin/users", data={"email": "new@clinic.example", "role": "editor", "delivery": "link"})
    run_jobs()
    email = outbox_messages(settings.outbox_dir)[-1]
    assert email["To"] == "new@clinic.example"
    link = re.search(
        r"https?://\S+/admin/set-password/[\w.-]+", email.get_body(("plain",)).get_content()
    ).group(0)
    path = "/" + link.split("/", 3)[3]
    invited = form_client(app)
    assert "Choose your password" in invited.get(path).text
    chosen = "my own chosen password"
    invited = form_client(app)
    answer = invited.post(path, data={"password": chosen, "confirm": chosen})
    assert answer.status_code == 303
    assert sign_in(invited, "new@clinic.example", chosen).status_code == 303
    assert form_client(app).get(path).status_code == 410  # spent


def test_changing_your_password_signs_out_your_other_browsers(client, app, db: Session) -> None:
    make_user(db, "ed@clinic.example", Role.EDITOR)
    sign_in(client, "ed@clinic.example")
    laptop = form_client(app)
    sign_in(laptop, "ed@clinic.example")
    new = "a brand new password"
    wrong = client.post("/admin/account/password", data={"current": "nope", "password": new, "confirm": new})
    assert wrong.status_code == 400 and "not your current password" in wrong.text
    done = client.post(
        "/admin/account/password",
        data={"current": PASSWORD, "password": new, "confirm": new},
        follow_redirects=True,
    )
    assert "Your password is changed" in done.text
    assert client.get("/admin/").status_code == 200  # this browser stays signed in
    assert laptop.get("/admin/").status_code == 302
    assert sign_in(form_client(app), "ed@clinic.example", new).status_code == 303
