"""Two-factor sign-in: set up with an authenticator app's code, sign in with it or a recovery code."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy.orm import Session

from campaigns.models import User
from campaigns.statuses import Role
from tests.admin_helpers import PASSWORD, make_user, sign_in
from tests.conftest import form_client


def turn_on(client) -> tuple[str, list[str]]:
    """Turn two-factor on through the pages; return the secret and the recovery codes."""
    client.post("/admin/account/two-factor/start")
    page = client.get("/admin/account/two-factor").text
    assert 'src="data:image/svg+xml' in page  # the QR code
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    wrong = client.post("/admin/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 400 and "does not match" in wrong.text
    done = client.post("/admin/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.headers["Cache-Control"] == "no-store"
    return secret, re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.text)


def test_two_factor_sign_in_needs_the_apps_code(client, app, db: Session) -> None:
    user = make_user(db, "boss@clinic.example", Role.ADMIN)
    sign_in(client, "boss@clinic.example")
    secret, codes = turn_on(client)
    assert len(codes) == 10
    db.expire_all()
    assert db.get_one(User, user.id).totp_secret == secret
    other = form_client(app)
    answer = sign_in(other, "boss@clinic.example")
    assert answer.headers["Location"] == "/admin/login/code"
    assert other.get("/admin/").status_code == 302  # the password alone does not sign in
    assert other.post("/admin/login/code", data={"code": "123456"}).status_code == 401
    assert other.post("/admin/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 303
    assert other.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once(client, app, db: Session) -> None:
    make_user(db, "boss@clinic.example", Role.ADMIN)
    sign_in(client, "boss@clinic.example")
    _, codes = turn_on(client)
    first = form_client(app)
    sign_in(first, "boss@clinic.example")
    answer = first.post("/admin/login/code", data={"code": codes[0].upper()}, follow_redirects=True)
    assert "You used a recovery code" in answer.text
    again = form_client(app)
    sign_in(again, "boss@clinic.example")
    assert again.post("/admin/login/code", data={"code": codes[0]}).status_code == 401


def test_turning_it_off_needs_the_password(client, app, db: Session) -> None:
    make_user(db, "boss@clinic.example", Role.ADMIN)
    sign_in(client, "boss@clinic.example")
    turn_on(client)
    assert (
        "still on"
        in client.post("/admin/account/two-factor/off", data={"password": "no"}, follow_redirects=True).text
    )
    client.post("/admin/account/two-factor/off", data={"password": PASSWORD})
    assert sign_in(form_client(app), "boss@clinic.example").headers["Location"] == "/admin/"
