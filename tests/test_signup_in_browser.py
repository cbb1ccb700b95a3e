"""A visitor in a real browser: fills the form, opens the confirmation email, presses the button."""

from __future__ import annotations

import http.server
import threading
from functools import partial
from pathlib import Path

import pytest
from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import ConsentRecord, Subscriber
from campaigns.settings import Settings
from campaigns.statuses import SubscriberStatus
from tests.browser import chromium, free_port, live_server, screenshot
from tests.conftest import make_settings
from tests.factories import seeded
from tests.signup_helpers import confirmation_links, decide_signups
from web.public import clinic_context

pytestmark = pytest.mark.browser

ENGINE_PORT = free_port()
CLINIC_SITE_PORT = free_port()
CLINIC_SITE = f"http://127.0.0.1:{CLINIC_SITE_PORT}"


@pytest.fixture
def settings(database_url: str, redis_url: str, redis, tmp_path: Path) -> Settings:
    """Settings whose links point at the live server, allowing the clinic's site to embed the form."""
    return make_settings(
        tmp_path,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{ENGINE_PORT}",
        EMBED_ALLOWED_ORIGINS=CLINIC_SITE,
    )


@pytest.fixture
def engine_url(app) -> str:
    with live_server(app, ENGINE_PORT) as url:
        yield url


def test_a_visitor_signs_up_and_confirms_in_the_browser(engine_url, db: Session, settings, run_jobs) -> None:
    seeded(db, settings)
    with chromium() as browser:
        page = browser.new_context(
            timezone_id="America/Chicago", viewport={"width": 375, "height": 800}
        ).new_page()
        page.goto(engine_url + "/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # fits a phone
        screenshot(page, "landing-phone")
        page.get_by_label("Email address").fill("ada@example.com")
        page.get_by_label("First name").fill("Ada")
        page.get_by_label("Yes, send me").check()
        page.get_by_role("button", name="Send me the emails").click()
        page.get_by_role("heading", name="Check your inbox").wait_for()
        screenshot(page, "check-inbox")

        run_jobs()
        [link] = confirmation_links(settings.outbox_dir)
        page.goto(link)
        page.get_by_role("button", name="Confirm my subscription").wait_for()
        db.expire_all()
        assert db.scalars(select(Subscriber)).one().status == SubscriberStatus.PENDING
        screenshot(page, "confirm")
        page.get_by_role("button", name="Confirm my subscription").click()
        page.get_by_role("heading", name="You are subscribed").wait_for()
        screenshot(page, "confirmed")

    db.expire_all()
    subscriber = db.scalars(select(Subscriber)).one()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.timezone == "America/Chicago"  # filled in by the page's own script


def test_the_form_tells_the_visitor_what_to_fix(engine_url, db: Session, settings) -> None:
    seeded(db, settings)
    with chromium() as browser:
        page = browser.new_page()
        page.goto(engine_url + "/")
        page.get_by_label("Email address").fill("ada@example")
        page.get_by_role("button", name="Send me the emails").click()
        page.get_by_role("alert").wait_for()
        assert "Please tick the box" in page.get_by_role("alert").inner_text()
        assert page.get_by_label("Email address").input_value() == "ada@example"
        screenshot(page, "form-errors")
    assert db.scalars(select(Subscriber)).all() == []


def test_the_form_embedded_on_the_clinics_site_answers_in_place(
    app, engine_url, db: Session, settings
) -> None:
    seeded(db, settings)
    with app.test_request_context():
        snippet = render_template("admin/embed_snippet.html", base=engine_url, **clinic_context())
    site = Path(settings.instance_dir) / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text(f"<!DOCTYPE html><html><body><h1>Clinic</h1>{snippet}</body></html>")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", CLINIC_SITE_PORT), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with chromium() as browser:
            page = browser.new_page()
            page.goto(CLINIC_SITE + "/index.html")
            page.get_by_label("Email address").fill("grace@example.com")
            page.get_by_label("Yes, send me").check()
            page.get_by_role("button", name="Send me the emails").click()
            page.get_by_text("a confirmation link is on its way").wait_for()
            assert page.url == CLINIC_SITE + "/index.html"  # answered in place, no navigation
            screenshot(page, "embedded")
    finally:
        server.shutdown()
    decide_signups(db)
    record = db.scalars(select(ConsentRecord)).one()
    assert (record.email, record.source, record.page) == (
        "grace@example.com",
        "embed",
        CLINIC_SITE + "/index.html",
    )
