"""In a real browser: an editor cannot publish a blocking claim; an admin can, with a logged reason."""

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
PASSWORD = "a long enough password"
RISKY = "Hi,\n\nOur patients report less pain after one visit. Book now, spots are filling fast.\n"
REASON = "Counsel approved this wording for a court-ordered corrective notice."


@pytest.fixture
def settings(database_url: str, redis_url: str, redis, tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, PUBLIC_BASE_URL=f"http://127.0.0.1:{PORT}"
    )


def sign_in(page, url: str, email: str) -> None:
    """Sign in on the admin's login page."""
    page.goto(url + "/admin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_editor_is_stopped_and_an_admin_publishes_with_a_recorded_reason(
    app, db: Session, settings
) -> None:
    seeded(db, settings)
    create_user(db, "editor@clinic.example", Role.EDITOR, PASSWORD, datetime.now(UTC))
    create_user(db, "counsel.admin@clinic.example", Role.ADMIN, PASSWORD, datetime.now(UTC))
    db.commit()
    with live_server(app, PORT) as url, chromium() as browser:
        editor = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(editor, url, "editor@clinic.example")
        editor.get_by_role("link", name="Welcome, and what these emails will cover").first.click()
        editor.get_by_label("Body (Markdown)").fill(RISKY)
        editor.get_by_role("button", name="Save draft").click()
        editor.get_by_text("Draft saved.").wait_for()
        findings = editor.get_by_role("region", name="Claims check").inner_text()
        assert "Blocks publishing" in findings and "“Our patients report”" in findings
        assert "“Book now”" in findings
        step_url = editor.url.split("?")[0]
        editor.get_by_role("button", name="Publish this draft").click()
        editor.get_by_text("ask an admin to publish it with a recorded reason").wait_for()
        assert editor.get_by_label("reason for publishing anyway", exact=False).count() == 0
        editor.get_by_role("button", name="Publish", exact=True).click()
        editor.get_by_role("alert").get_by_text("publishing needs an admin's reason").wait_for()
        screenshot(editor, "claims-gate-editor")

        admin = browser.new_context().new_page()
        sign_in(admin, url, "counsel.admin@clinic.example")
        admin.goto(step_url)
        admin.get_by_role("button", name="Publish this draft").click()
        admin.get_by_role("button", name="Publish", exact=True).click()  # no reason yet
        admin.get_by_role("alert").get_by_text("publishing needs an admin's reason").wait_for()
        admin.get_by_role("button", name="Publish this draft").click()
        admin.get_by_label("reason for publishing anyway", exact=False).fill(REASON)
        admin.get_by_role("button", name="Publish", exact=True).click()
        admin.get_by_text("Published as version 2.").wait_for()
        admin.get_by_role("link", name="Audit log").click()
        row = admin.get_by_role("row").filter(has_text="step.publish")
        assert REASON in row.inner_text() and "counsel.admin@clinic.example" in row.inner_text()
        assert "testimonials" in row.inner_text() and "urgency" in row.inner_text()
        screenshot(admin, "claims-gate-audit-log")
    version = db.scalars(select(StepVersion).order_by(StepVersion.id.desc())).first()
    assert version.version == 2 and version.override_reason == REASON and "Book now" in version.body
