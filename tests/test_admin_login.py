"""Signing in to the admin: a form with CSRF protection, and the sequences at a glance."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from campaigns.accounts import create_user
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
    assert sign_in(client).status_code == 302
    page = client.get("/admin/").text
    assert "Understanding fibromyalgia" in page
    assert "Welcome, and what these emails will cover" in page
    assert "Mon,Tue,Wed,Thu,Fri 09:00-17:00" in page
    assert "3 days" in page


def test_a_login_without_the_csrf_token_is_refused(client, db: Session) -> None:
    make_user(db)
    response = client.post("/admin/login", data={"email": "marketer@clinic.example", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.text


def test_after_login_only_admin_paths_are_followed(client, db: Session) -> None:
    make_user(db)
    for target in ("https://evil.example/", "//evil.example/admin", "/admin\\@evil.example"):
        response = sign_in(client, next=target)
        assert response.headers["Location"] == "/admin/"


def test_signing_out_needs_a_post_and_ends_the_session(client, db: Session) -> None:
    make_user(db)
    sign_in(client)
    assert client.get("/admin/logout").status_code == 405
    client.post("/admin/logout", data={"csrf_token": csrf_from(client, "/admin/")})
    assert client.get("/admin/").status_code == 302
