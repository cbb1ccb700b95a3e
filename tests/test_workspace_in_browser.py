"""The marketer's workspace in a real browser: a new sequence end to end, the live editor, phones, axe."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts import create_user
from campaigns.db import make_session_factory
from campaigns.models import Enrollment, Sequence, Step
from campaigns.providers import provider_for
from campaigns.settings import Settings
from campaigns.statuses import Role
from campaigns.tick import run_tick
from tests.browser import chromium, free_port, live_server, screenshot
from tests.conftest import engine_for, make_settings
from tests.factories import outbox_messages, seeded
from tests.signup_helpers import confirmation_links

pytestmark = pytest.mark.browser
PORT = free_port()
PASSWORD = "a long enough password"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = """() => axe.run(document, {exclude: [["iframe"]]}).then(result => result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", ")))"""


@pytest.fixture
def settings(database_url: str, redis_url: str, redis, tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, PUBLIC_BASE_URL=f"http://127.0.0.1:{PORT}"
    )


def sign_in(page, url: str) -> None:
    page.goto(url + "/admin/")
    page.get_by_label("Email").fill("marketer@clinic.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="How are we doing?").wait_for()


def marketer(db: Session, settings: Settings) -> None:
    seeded(db, settings)
    create_user(db, "marketer@clinic.example", Role.EDITOR, PASSWORD, datetime.now(UTC))
    db.commit()


def write_step(page, subject: str) -> None:
    """On the sequence page: add an email, give it a subject and no delay, save and publish it."""
    page.get_by_role("button", name="Add an email").click()
    page.get_by_label("Subject", exact=True).fill(subject)
    page.get_by_label("Days after the previous email").fill("0")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved.").wait_for()
    page.get_by_role("button", name="Publish this draft").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("Published as version 1.").wait_for()
    page.get_by_role("link", name="Back to the sequence").click()


def test_a_new_sequence_from_nothing_to_its_first_email(app, db: Session, settings, run_jobs) -> None:
    marketer(db, settings)
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, url)
        page.get_by_role("link", name="New sequence").click()
        page.get_by_label("Name (subscribers see it too").fill("Sleep and pain")
        page.get_by_label("Heading of its signup page").fill("Sleep and chronic pain")
        page.get_by_label("Text of its signup page").fill("Three short emails about sleep.")
        page.get_by_role("button", name="Create the sequence").click()
        page.get_by_role("heading", name="Sleep and pain").wait_for()
        for subject in ("Sleep, part one", "Sleep, part two", "Sleep, part three"):
            write_step(page, subject)
        # Email 3 to the top with the keyboard alone: focus its button, press Enter, twice.
        page.get_by_role("button", name="Move email 3 up").focus()
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Move email 2 up").wait_for()
        page.get_by_role("button", name="Move email 2 up").focus()
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Move email 1 down").wait_for()
        subjects = page.locator("table.steps tbody tr td:nth-child(2) a").all_inner_texts()
        assert subjects == ["Sleep, part three", "Sleep, part one", "Sleep, part two"]
        page.get_by_role("button", name="Start this sequence").click()
        page.get_by_role("link", name="/s/sleep-and-pain").wait_for()
        screenshot(page, "sequence")

        visitor = browser.new_page(viewport={"width": 390, "height": 844})
        visitor.goto(url + "/s/sleep-and-pain")
        visitor.get_by_role("heading", name="Sleep and chronic pain").wait_for()
        visitor.get_by_label("Email address").fill("ada@example.com")
        visitor.get_by_label("Yes, send me").check()
        visitor.get_by_role("button", name="Send me the emails").click()
        visitor.get_by_role("heading", name="Check your inbox").wait_for()
        run_jobs()
        [link] = confirmation_links(settings.outbox_dir)
        visitor.goto(link)
        visitor.get_by_role("button", name="Confirm my subscription").click()
        visitor.get_by_role("heading", name="You are subscribed").wait_for()

    sequence = db.scalars(select(Sequence).where(Sequence.slug == "sleep-and-pain")).one()
    enrollment = db.scalars(select(Enrollment).where(Enrollment.sequence_id == sequence.id)).one()
    sessions = make_session_factory(engine_for(settings.database_url))
    assert run_tick(sessions, settings, provider_for(settings), enrollment.next_send_at)["sent"] == 1
    subjects = [str(m["Subject"]) for m in outbox_messages(settings.outbox_dir)]
    assert "Sleep, part three" in subjects  # that sequence's first email, after the reorder


def test_the_preview_and_claims_check_follow_the_typing(app, db: Session, settings) -> None:
    marketer(db, settings)
    step = db.scalars(select(Step).order_by(Step.position)).first()
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, url)
        page.goto(f"{url}/admin/steps/{step.id}")
        page.evaluate("window.notReloaded = true")
        body = page.get_by_label("Body (Markdown)")
        body.fill(body.input_value() + "\n\nA line typed just now.\n")
        phone = page.frame_locator("iframe[title='Phone preview']")
        phone.get_by_text("A line typed just now.").wait_for()
        page.frame_locator("iframe[title='Desktop preview']").get_by_text("A line typed just now.").wait_for()
        page.get_by_label("Subject", exact=True).fill("A cure at last")
        page.get_by_role("region", name="Claims check").get_by_text("“cure” in the subject").wait_for()
        assert page.evaluate("window.notReloaded") is True
        boxes = [page.locator(sel).bounding_box() for sel in ("#step-form", ".editor-preview")]
        assert boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"] - 1  # side by side on a wide screen
        screenshot(page, "live-editor")
        narrow = browser.new_page(viewport={"width": 390, "height": 844})
        sign_in(narrow, url)
        narrow.goto(f"{url}/admin/steps/{step.id}")
        boxes = [narrow.locator(sel).bounding_box() for sel in ("#step-form", ".editor-preview")]
        assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"]  # stacked on a phone
    db.expire_all()
    assert db.get_one(Step, step.id).subject != "A cure at last"  # typing saves nothing


def test_every_page_fits_a_phone_and_axe_finds_nothing_serious(app, db: Session, settings) -> None:
    marketer(db, settings)
    sequence = db.scalars(select(Sequence)).one()
    step = sequence.steps[0]
    public = ["/", f"/s/{sequence.slug}", "/check-your-inbox", "/privacy", "/consultation"]
    admin = [
        "/admin/",
        f"/admin/sequences/{sequence.id}",
        f"/admin/sequences/{sequence.id}/stats",
        f"/admin/sequences/{sequence.id}/settings",
        "/admin/sequences/new",
        f"/admin/steps/{step.id}",
        f"/admin/steps/{step.id}/versions",
        "/admin/embed",
    ]
    problems = {}
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True).new_page()
        for path in [*public, "login", *admin]:
            if path == "login":
                sign_in(page, url)
                continue
            page.goto(url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            page.add_script_tag(path=str(AXE))
            serious = page.evaluate(SERIOUS)
            if width > 390 or serious:
                problems[path] = (width, serious)
            screenshot(page, "phone" + path.replace("/", "-"))
    assert problems == {}, json.dumps(problems, indent=1)


def test_dragging_a_row_moves_the_email_as_the_buttons_do(app, db: Session, settings) -> None:
    marketer(db, settings)
    sequence = db.scalars(select(Sequence)).one()
    first, third = sequence.steps[0], sequence.steps[2]
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, url)
        page.goto(f"{url}/admin/sequences/{sequence.id}")
        page.drag_and_drop(f"#step-{first.id}", f"#step-{third.id}")
        expect(page.locator(f"#step-{first.id} td").first).to_have_text("3")  # after the page reloads
    db.expire_all()
    assert [s.id for s in db.scalars(select(Step).order_by(Step.position))][2] == first.id
