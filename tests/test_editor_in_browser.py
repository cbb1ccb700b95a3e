"""A marketer in a real browser: signs in, edits an email, sees the claims check, previews, publishes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts import create_user
from campaigns.models import StepVersion
from campaigns.settings import Settings
from campaigns.statuses import Role
from tests.browser import chromium, free_port, live_server, screenshot
from tests.conftest import make_settings
from tests.factories import seeded

pytestmark = pytest.mark.browser
PORT = free_port()


@pytest.fixture
def settings(database_url: str, redis_url: str, redis, tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, PUBLIC_BASE_URL=f"http://127.0.0.1:{PORT}"
    )


def test_a_marketer_edits_checks_previews_and_publishes_an_email(app, db: Session, settings) -> None:
    seeded(db, settings)
    create_user(db, "marketer@clinic.example", Role.EDITOR, "a long enough password", datetime.now(UTC))
    db.commit()
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "/admin/")
        page.get_by_label("Email").fill("marketer@clinic.example")
        page.get_by_label("Password").fill("a long enough password")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Welcome, and what these emails will cover").first.click()
        page.get_by_label("Subject", exact=True).fill("Welcome: a natural place to start")
        page.get_by_role("button", name="Save draft").click()
        page.get_by_text("Draft saved.").wait_for()
        findings = page.get_by_role("region", name="Claims check").inner_text()
        assert "“natural” in the subject" in findings and "its risks plainly" in findings
        preview = page.frame_locator("iframe[title='Phone preview']")
        preview.get_by_text("Hi Alex,").wait_for()
        screenshot(page, "editor")
        page.get_by_role("button", name="Publish this draft").click()
        page.get_by_role("heading", name="Publish “Welcome: a natural place to start”?").wait_for()
        page.get_by_role("button", name="Publish", exact=True).click()
        page.get_by_text("Published as version 2.").wait_for()
    versions = db.scalars(select(StepVersion).order_by(StepVersion.id.desc())).first()
    assert versions.subject == "Welcome: a natural place to start" and versions.version == 2
