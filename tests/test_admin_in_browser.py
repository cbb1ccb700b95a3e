"""The admin in real Chromium: users and roles, sessions that end, throttling, two-factor, settings.

Every new page is also checked with axe-core: no serious or critical accessibility violation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Step
from campaigns.settings import Settings
from campaigns.statuses import Role
from tests.accessibility import serious_violations
from tests.admin_helpers import PASSWORD, make_user
from tests.browser import chromium, free_port, live_server, screenshot
from tests.conftest import make_settings
from tests.factories import active_subscriber, outbox_messages, seeded
from tests.test_tick import tick

pytestmark = pytest.mark.browser
PORT = free_port()


@pytest.fixture
def settings(database_url: str, redis_url: str, redis, tmp_path: Path) -> Settings:
    """Settings behind one trusted proxy, so that each browser context can come from its own address."""
    return make_settings(
        tmp_path,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{PORT}",
        TRUSTED_PROXY_COUNT="1",
    )


def new_page(browser, address: str = "192.0.2.10"):
    """Open a page in a browser context of its own, coming from `address` (through the proxy)."""
    context = browser.new_context(
        viewport={"width": 1200, "height": 900},
        extra_http_headers={"X-Forwarded-For": address},
        bypass_csp=True,  # only so that axe-core can be injected; the app's CSP is tested elsewhere
    )
    return context.new_page()


def sign_in(page, url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    page.goto(url + "/admin/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def accessible(page, name: str) -> None:
    """Fail on any serious or critical axe-core violation on the page; keep a screenshot."""
    screenshot(page, name)
    assert serious_violations(page) == [], name


def test_an_admin_adds_an_editor_who_is_kept_out_and_then_deactivated(app, db: Session, settings) -> None:
    seeded(db, settings)
    make_user(db, "boss@clinic.example", Role.ADMIN)
    with live_server(app, PORT) as url, chromium() as browser:
        admin = new_page(browser)
        sign_in(admin, url, "boss@clinic.example")
        admin.get_by_role("link", name="Users").click()
        accessible(admin, "users")
        admin.get_by_label("Their email").fill("ed@clinic.example")
        admin.get_by_label("Editor: edits, tests and publishes sequences").check()
        admin.get_by_label("Show me a password now, once, to hand over myself").check()
        admin.get_by_role("button", name="Add this user").click()
        password = admin.locator("#password").inner_text()
        accessible(admin, "password-shown")
        editor = new_page(browser, "192.0.2.20")
        sign_in(editor, url, "ed@clinic.example", password)
        editor.get_by_role("heading", name="Sequences").wait_for()
        assert editor.get_by_role("link", name="Users").count() == 0
        for path in ("/admin/users", "/admin/settings", "/admin/audit"):
            assert editor.goto(url + path).status == 403
        admin.get_by_role("link", name="Back to ed@clinic.example").click()
        accessible(admin, "user")
        admin.get_by_role("link", name="Deactivate ed@clinic.example…").click()
        accessible(admin, "confirm-deactivate")
        admin.get_by_role("button", name="Deactivate").click()
        admin.get_by_text("ed@clinic.example is deactivated and was signed out everywhere.").wait_for()
        editor.goto(url + "/admin/")
        editor.get_by_role("heading", name="Sign in").wait_for()  # the open session ended at once
        assert "/admin/login" in editor.url


def test_signing_out_ends_the_session_for_a_copied_cookie_too(app, db: Session, settings) -> None:
    make_user(db, "ed@clinic.example", Role.EDITOR)
    with live_server(app, PORT) as url, chromium() as browser:
        page = new_page(browser)
        sign_in(page, url, "ed@clinic.example")
        page.get_by_role("heading", name="Sequences").wait_for()
        copied = page.context.cookies()
        page.get_by_role("button", name="Sign out").click()
        page.get_by_text("You are signed out.").wait_for()
        accessible(page, "login")
        thief = browser.new_context()
        thief.add_cookies(copied)
        stolen = thief.new_page()
        stolen.goto(url + "/admin/")
        assert "/admin/login" in stolen.url


def test_wrong_passwords_from_several_addresses_lock_the_account(app, db: Session, settings) -> None:
    make_user(db, "ed@clinic.example", Role.EDITOR)
    with live_server(app, PORT) as url, chromium() as browser:
        for n in range(5):
            guesser = new_page(browser, f"203.0.113.{n + 1}")
            sign_in(guesser, url, "ed@clinic.example", f"wrong guess {n}")
            guesser.get_by_text("That email and password do not match an account.").wait_for()
            guesser.context.close()
        owner = new_page(browser, "198.51.100.50")
        sign_in(owner, url, "ed@clinic.example")  # the right password, from a fresh address
        owner.get_by_text("Too many failed sign-ins for this account").wait_for()
        assert "/admin/login" in owner.url


def test_two_factor_sign_in_with_an_authenticator_app(app, db: Session, settings) -> None:
    make_user(db, "boss@clinic.example", Role.ADMIN)
    with live_server(app, PORT) as url, chromium() as browser:
        page = new_page(browser)
        sign_in(page, url, "boss@clinic.example")
        page.get_by_role("link", name="Your account").click()
        accessible(page, "account")
        page.get_by_role("button", name="Set up two-factor sign-in").click()
        page.get_by_role("img", name=re.compile("QR code")).wait_for()
        accessible(page, "two-factor-setup")
        secret = page.locator("#totp-secret").inner_text()
        page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
        assert page.locator("#recovery-codes li").count() == 10
        accessible(page, "recovery-codes")
        other = new_page(browser, "192.0.2.30")
        sign_in(other, url, "boss@clinic.example")
        other.get_by_role("heading", name="Your sign-in code").wait_for()
        accessible(other, "login-code")
        other.get_by_label("Code").fill("000000")
        other.get_by_role("button", name="Sign in").click()
        other.get_by_text("That code is not right.").wait_for()
        other.get_by_label("Code").fill(pyotp.TOTP(secret).now())
        other.get_by_role("button", name="Sign in").click()
        other.get_by_role("heading", name="Sequences").wait_for()


def test_a_settings_change_reaches_the_next_email_and_the_audit_log(app, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    make_user(db, "boss@clinic.example", Role.ADMIN)
    with live_server(app, PORT) as url, chromium() as browser:
        page = new_page(browser)
        sign_in(page, url, "boss@clinic.example")
        page.get_by_role("link", name="Settings", exact=True).click()
        accessible(page, "settings")
        page.get_by_label("Postal address").fill("not")
        page.get_by_role("button", name="Save the settings").click()
        page.get_by_text("Nothing was saved. Please fix:").wait_for()
        accessible(page, "settings-errors")
        page.get_by_label("Postal address").fill("7 Bayside Road, Portland, ME 04102")
        page.get_by_label("Sender name").fill("Bayside Pain Clinic")
        page.get_by_label("Sender address").fill("news@baysidepain.org")
        page.get_by_role("button", name="Save the settings").click()
        page.get_by_text("Saved: postal address, sender name, sender address.").wait_for()
        page.get_by_role("link", name="Audit log").click()
        page.get_by_role("cell", name="settings.change").wait_for()
        assert "7 Bayside Road, Portland, ME 04102" in page.locator("table").inner_text()
        accessible(page, "audit")
        first = db.scalars(
            select(Step).where(Step.sequence_id == sequence.id).order_by(Step.position)
        ).first()
        page.goto(f"{url}/admin/steps/{first.id}/publish")
        accessible(page, "confirm-publish")
    active_subscriber(db, sequence)
    tick(settings, 0)
    email = outbox_messages(settings.outbox_dir)[-1]
    assert email["From"] == "Bayside Pain Clinic <news@baysidepain.org>"
    assert "7 Bayside Road, Portland, ME 04102" in email.get_body(("plain",)).get_content()
