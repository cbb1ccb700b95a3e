"""One-off emails on a phone: Chromium at 390 px shows the button and wraps the plain link."""

from __future__ import annotations

import pytest

from tests.browser import chromium, screenshot
from tests.factories import outbox_messages, seeded
from tests.signup_helpers import post_form

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_one_off_emails_fit_a_390_px_screen(client, db, settings, run_jobs) -> None:
    seeded(db, settings)
    post_form(client)
    client.post(
        "/consultation",
        data={
            "name": "Ada",
            "email": "ada@example.com",
            "time": "any",
            "consent": "yes",
            "message": "x" * 80,
        },
    )
    run_jobs()
    messages = outbox_messages(settings.outbox_dir)
    assert len(messages) == 3  # the confirmation and both consultation emails
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        for message in messages:
            page.set_content(message.get_body(preferencelist=("html",)).get_content())
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (message["Subject"], width)
            screenshot(page, f"one-off-{message['Subject'][:20]}")
        confirmation = next(m for m in messages if m["Subject"] == "Please confirm your subscription")
        page.set_content(confirmation.get_body(preferencelist=("html",)).get_content())
        button = page.get_by_role("link", name="Confirm my subscription")
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 40  # a target a thumb can press
        plain = page.locator("a.button ~ a, p.plain-link a")
        link_box = plain.bounding_box()
        assert link_box is not None and link_box["x"] + link_box["width"] <= PHONE["width"]
        assert link_box["height"] > 25  # it wrapped onto more than one line rather than widen the page
