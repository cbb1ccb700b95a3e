"""Signing in to the admin: CSRF-protected forms, revocable sessions, throttling per account."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts import create_user
from campaigns.models import AuditLog
from campaigns.settings import Settings
from campaigns.statuses import Role
from tests.factories import seeded

PASSWORD = "a long enough password"


def csrf_from(client, path: str = "/admin/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, email: str = "marketer@clinic.example", password: str = PASSWORD, **extra: str):
    data = {"email": email, "password": password, "csrf_token": csrf_from(client), **extra}
    return client.post("/admin/login", data=data)


def make_user(db: Session) -> None:
    create_user(db, "marketer@clinic.example", Role.EDITOR, PASSWORD, datetime.now(UTC))
    db.commit()


def test_the_admin_sends_strangers_to_the_login_page(client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_a_wrong_password_is_refused_with_a_plain_message(client, db: Session) -> None:
    make_user(db)
    response = sign_in(client, password="wrong password!")
    assert response.status_code == 401
    assert "do not match an account" in response.text
    assert client.get("/admin/").status_code == 302


def test_an_unknown_email_gets_the_same_answer(client, db: Session) -> None:
    make_user(db)
    response = sign_in(client, email="stranger@example.com")
    assert response.status_code == 401
    assert "do not match an account" in response.text


def test_signing_in_shows_the_default_sequence_at_a_glance(client, db: Session, settings: Settings) -> None:
    seeded(db, settings)
    make_user(db)
    assert sign_in(client).status_code == 303
    page = client.get("/admin/").text
    assert "Understanding fibromyalgia" in page
    assert "Welcome, and what these emails will cover" in page
    assert "Mon-Fri 09:00-17:00" in page
    assert "3 days" in page


def test_a_login_without_the_csrf_token_is_refused(bare_client, db: Session) -> None:
    make_user(db)
    bare_client.get("/admin/login")
    data = {"email": "marketer@clinic.example", "password": PASSWORD}
    response = bare_client.post("/admin/login", data=data)
    assert response.status_code == 400
    assert "expired" in response.text
    forged = bare_client.post("/admin/login", data={**data, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert bare_client.get("/admin/").status_code == 302


def test_after_login_only_admin_paths_are_followed(client, db: Session) -> None:
    make_user(db)
    for target in ("https://evil.example/", "//evil.example/admin", "/admin\\@evil.example"):
        response = sign_in(client, next=target)
        assert response.headers["Location"] == "/admin/"


def test_signing_out_needs_a_post_and_ends_the_session(client, db: Session) -> None:
    make_user(db)
    sign_in(client)
    assert client.get("/admin/logout").status_code == 405
    client.post("/admin/logout")
    assert client.get("/admin/").status_code == 302


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_cookie_copied_before_signing_out_no_longer_opens_the_admin(client, app, db: Session) -> None:
    make_user(db)
    sign_in(client)
    copied = session_cookie(client)
    client.post("/admin/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_signing_out_says_so(client, db: Session) -> None:
    make_user(db)
    sign_in(client)
    page = client.post("/admin/logout", follow_redirects=True).text
    assert "You are signed out." in page


def test_sign_ins_and_failures_are_in_the_audit_log_with_the_address(client, db: Session) -> None:
    make_user(db)
    sign_in(
        client,
        password="wrong password!",
    )
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    sign_in(client)
    db.expire_all()
    rows = db.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(r.action, r.ip_address) for r in rows] == [
        ("sign_in.failed", "127.0.0.1"),
        ("sign_in", "198.51.100.7"),
    ]
    assert rows[0].detail["email"] == "marketer@clinic.example"


def test_wrong_passwords_from_many_addresses_lock_the_account_not_the_addresses(client, db: Session) -> None:
    make_user(db)
    create_user(db, "other@clinic.example", Role.EDITOR, PASSWORD, datetime.now(UTC))
    db.commit()
    for n in range(5):
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        assert sign_in(client, password=f"guess number {n}").status_code == 401
    client.environ_base["REMOTE_ADDR"] = "203.0.113.99"
    locked = sign_in(client)  # the right password, from a new address: still refused for now
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account" in locked.text
    assert client.get("/admin/").status_code == 302
    assert sign_in(client, email="other@clinic.example").status_code == 303
