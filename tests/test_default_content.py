"""The default sequence: golden HTML and text, valid MIME, valid HTML with alt text, no risky claims.

Regenerate the golden files after a deliberate change with
`UPDATE_GOLDEN=1 pytest tests/test_default_content.py`, and read the diff before committing it.
"""

from __future__ import annotations

import os
from dataclasses import replace
from email import policy
from email.parser import BytesParser
from pathlib import Path

import html5lib
import pytest

from campaigns.claims import check_claims, default_rules
from campaigns.claims.structure import check_structure
from campaigns.composing import Content, render_step
from campaigns.seed import DEFAULT_SEQUENCE_DIR, read_step_file
from campaigns.test_send import preview
from tests.email_helpers import SENDER

GOLDEN = Path(__file__).parent / "golden"
STEPS = sorted(DEFAULT_SEQUENCE_DIR.glob("*.md"))


def content(path: Path) -> Content:
    step = read_step_file(path)
    return Content(step.subject, step.preheader, step.body, "fibromyalgia-education", path.stem)


@pytest.mark.parametrize("path", STEPS, ids=[p.stem for p in STEPS])
@pytest.mark.parametrize("part", ["html", "txt"])
def test_each_default_email_matches_its_golden_file(path: Path, part: str) -> None:
    email = render_step(SENDER, content(path), has_first_name=True).email
    rendered = email.html if part == "html" else f"Subject: {email.subject}\n\n{email.text}"
    golden = GOLDEN / f"{path.stem}.{part}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", STEPS, ids=[p.stem for p in STEPS])
def test_each_default_email_is_a_complete_mime_message(path: Path) -> None:
    raw = preview(SENDER, content(path)).message().as_bytes()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert message["List-Unsubscribe"].startswith("<https://news.clinic.example/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["From"] == message["Reply-To"] == "Harbor Regenerative Clinic <care@clinic.example>"
    assert "Hi Alex," in text.get_content() and "Hi Alex," in html.get_content()
    assert "%%nurture" not in raw.decode()


@pytest.mark.parametrize("path", STEPS, ids=[p.stem for p in STEPS])
def test_each_default_email_is_valid_html_whose_images_have_alt_text(path: Path) -> None:
    html = preview(SENDER, content(path)).message().get_body(preferencelist=("html",)).get_content()
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    images = document.findall(".//img")
    assert all(image.get("alt") is not None for image in images)


FILLED_IN = replace(
    SENDER,
    clinic_offers="stem cell injections from $4,500",
    consultation_cost="nothing",
    consultation_host="a patient coordinator",
)


@pytest.mark.parametrize("path", STEPS, ids=[p.stem for p in STEPS])
def test_each_default_email_passes_the_claims_and_structure_checks(path: Path) -> None:
    step = content(path)
    assert check_claims(step.subject, step.preheader, step.body, default_rules()) == []
    email = render_step(FILLED_IN, step, has_first_name=True).email
    assert check_structure(email, SENDER.postal_address) == []


def test_an_unfilled_offer_or_consultation_detail_is_a_warning() -> None:
    step = content(DEFAULT_SEQUENCE_DIR / "06-consultation.md")
    email = render_step(SENDER, step, has_first_name=True).email
    [finding] = check_structure(email, SENDER.postal_address)
    assert finding.rule == "placeholder" and not finding.blocks
    assert "[set CONSULTATION_HOST:" in email.text


@pytest.mark.parametrize("path", STEPS, ids=[p.stem for p in STEPS])
def test_each_default_email_has_an_honest_subject_and_one_call_to_action(path: Path) -> None:
    step = read_step_file(path)
    assert "fibromyalgia" not in step.subject.lower()  # no condition on a shared screen's inbox
    assert step.preheader
    assert step.body.count("](") == 1  # exactly one link: the call to action


def test_the_text_part_keeps_headings_and_lists_links() -> None:
    email = render_step(
        SENDER, Content("S", "", "# Title\n\nSee [the FDA](https://www.fda.gov/x).\n"), True
    ).email
    assert "Title\n=====" in email.text
    assert "See the FDA [1]." in email.text
    assert "Links:\n[1] %%nurture:link-1%%" in email.text
