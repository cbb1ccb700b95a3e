"""What the clinic sells and how its consultation works, said plainly wherever a visitor decides."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from campaigns.clinic import sender_for
from campaigns.composing import Content, render_step
from campaigns.seed import DEFAULT_SEQUENCE_DIR, read_step_file
from campaigns.settings import Settings
from campaigns.statuses import Role
from tests.admin_helpers import make_user, sign_in
from tests.conftest import make_settings
from tests.factories import seeded
from tests.test_admin_settings import GOOD
from web import create_app

OFFERS = "stem cell injections from $4,500 and physical therapy"
HOST = "Dr. Lee Park, a licensed physician"


def clinic_client(db: Session, tmp_path: Path):
    """A client for an app whose clinic has filled in what it sells and who runs its consultations."""
    url = db.get_bind().url.render_as_string(hide_password=False)
    settings = make_settings(
        tmp_path, DATABASE_URL=url, CLINIC_OFFERS=OFFERS, CONSULTATION_COST="nothing", CONSULTATION_HOST=HOST
    )
    return create_app(settings).test_client(), settings


def test_the_landing_page_says_what_the_clinic_sells(db: Session, settings: Settings, tmp_path: Path) -> None:
    seeded(db, settings)
    client, _ = clinic_client(db, tmp_path)
    page = client.get("/").text
    assert f"sells {OFFERS}" in page and "financial interest" in page
    assert "no good evidence" in page


def test_the_consultation_page_says_who_runs_it_what_it_costs_and_the_fda_status(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    seeded(db, settings)
    client, _ = clinic_client(db, tmp_path)
    page = client.get("/consultation").text
    assert f"You talk with {HOST}." in page and "It costs nothing." in page
    assert "not a diagnosis" in page
    assert "not approved by the FDA" in page and f"sells {OFFERS}" in page


def test_until_the_clinic_fills_them_in_the_placeholders_say_what_to_set(client, db, settings) -> None:
    seeded(db, settings)
    page = client.get("/consultation").text
    assert "[set CONSULTATION_HOST:" in page and "[set CONSULTATION_COST:" in page


def test_emails_4_and_6_carry_the_clinics_interest(db: Session, settings: Settings, tmp_path: Path) -> None:
    seeded(db, settings)
    _, filled = clinic_client(db, tmp_path)
    sender = sender_for(db, filled)
    for name in ("04-stem-cells.md", "06-consultation.md"):
        step = read_step_file(DEFAULT_SEQUENCE_DIR / name)
        text = render_step(sender, Content(step.subject, step.preheader, step.body), True).email.text
        assert f"Harbor Regenerative Clinic sells {OFFERS}" in text
    step = read_step_file(DEFAULT_SEQUENCE_DIR / "06-consultation.md")
    text = render_step(sender, Content(step.subject, step.preheader, step.body), True).email.text
    assert f"You talk with {HOST}." in text and "It costs nothing." in text
    assert "not approved by the FDA" in text.split("--")[0]  # in the body, not only the footer


def test_the_privacy_notice_says_what_is_kept_who_handles_it_and_how_to_leave(client, db, settings) -> None:
    seeded(db, settings)
    page = client.get("/privacy").text
    for needed in (
        "email address",
        "first name",
        "time zone",
        "IP address",
        "browser",
        "pixel",
        "links you clicked",
        "phone number",
        "SendGrid",
        "SMTP relay",
        "How long we keep it",
        "get a copy",
        "erased",
        "never sell or share",
    ):
        assert needed in page, needed


def test_check_names_each_disclosure_still_to_fill_in(runner, db: Session, settings: Settings) -> None:
    seeded(db, settings)
    output = runner.invoke(args=["check"]).output
    for label in ("what the clinic sells", "what a consultation costs", "who runs a consultation"):
        assert f"still to fill in at {settings.public_base_url}/admin/settings: {label}" in output


def test_an_admin_fills_the_disclosures_in_on_the_settings_page(
    client, db: Session, settings: Settings
) -> None:
    seeded(db, settings)
    make_user(db, "owner@clinic.example", Role.ADMIN)
    sign_in(client, "owner@clinic.example")
    assert "What the clinic sells" in client.get("/admin/settings").text
    form = {**GOOD, "clinic_offers": OFFERS, "consultation_cost": "$150", "consultation_host": HOST}
    assert client.post("/admin/settings", data=form).status_code == 303
    page = client.get("/consultation").text
    assert f"You talk with {HOST}." in page and "It costs $150." in page and f"sells {OFFERS}" in page
    too_long = client.post("/admin/settings", data={**form, "clinic_offers": "x" * 301})
    assert too_long.status_code == 400 and "What the clinic sells must be one line" in too_long.text
