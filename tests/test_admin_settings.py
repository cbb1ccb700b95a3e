"""The clinic's settings: stored in the database, checked field by field, and in the next email."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.clinic import get_profile
from campaigns.models import AuditLog, Sequence
from campaigns.settings import SAMPLE_POSTAL_ADDRESS
from campaigns.statuses import Role
from tests.admin_helpers import make_user, sign_in
from tests.factories import active_subscriber, outbox_messages, seeded
from tests.test_tick import tick

GOOD = {
    "name": "Bayside Pain Clinic",
    "postal_address": "7 Bayside Road, Portland, ME 04102",
    "from_name": "Bayside Pain Clinic",
    "from_email": "news@baysidepain.org",
    "reply_to": "team@baysidepain.org",
    "notification_email": "desk@baysidepain.org",
    "timezone": "America/Chicago",
    "website_url": "https://baysidepain.org",
    "embed_allowed_origins": "https://baysidepain.org\nhttps://www.baysidepain.org",
    "utm_params": "utm_source=newsletter&utm_medium=email",
    "privacy_contact": "Our privacy officer, Dana Reyes: privacy@baysidepain.org",
    "track_engagement": "on",
}


def as_admin(client, db: Session, settings) -> Sequence:
    sequence = seeded(db, settings)
    make_user(db, "boss@clinic.example", Role.ADMIN)
    sign_in(client, "boss@clinic.example")
    return sequence


def test_editors_cannot_open_the_settings(client, db: Session, settings) -> None:
    seeded(db, settings)
    make_user(db, "ed@clinic.example", Role.EDITOR)
    sign_in(client, "ed@clinic.example")
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data=GOOD).status_code == 403
    assert get_profile(db).name != GOOD["name"]


def test_the_offers_hint_names_the_clinic(client, db: Session, settings) -> None:
    as_admin(client, db, settings)
    page = client.get("/admin/settings").text
    assert f"Completes \u201c{get_profile(db).name} sells" in page and "{{" not in page  # type: ignore[union-attr]


def test_the_sample_address_warning_goes_once_a_real_address_is_saved(client, db: Session, settings) -> None:
    as_admin(client, db, settings)
    get_profile(db).postal_address = SAMPLE_POSTAL_ADDRESS  # type: ignore[union-attr]  # as seeded locally
    db.commit()
    real_address_only = {**GOOD, "from_email": "news@example.com"}  # another placeholder stays
    assert "While the postal address is the sample one" in client.get("/admin/settings").text
    client.post("/admin/settings", data=real_address_only)
    page = client.get("/admin/settings").text
    assert "Still to fill in" in page and "example address" in page
    assert "While the postal address is the sample one" not in page


def test_a_settings_change_reaches_the_next_emails_footer_and_from_and_the_audit_log(
    client, db: Session, settings
) -> None:
    sequence = as_admin(client, db, settings)
    done = client.post("/admin/settings", data=GOOD, follow_redirects=True)
    assert "Saved: clinic name, postal address" in done.text
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "settings.change")).one()
    assert entry.detail["changes"]["postal_address"][1] == GOOD["postal_address"]
    active_subscriber(db, sequence)
    tick(settings, 0)
    email = outbox_messages(settings.outbox_dir)[-1]
    assert email["From"] == "Bayside Pain Clinic <news@baysidepain.org>"
    assert email["Reply-To"] == "Bayside Pain Clinic <team@baysidepain.org>"
    text = email.get_body(("plain",)).get_content()
    assert GOOD["postal_address"] in text and "Bayside Pain Clinic" in text
    audit_page = client.get("/admin/audit?action=settings.change").text
    assert "settings.change" in audit_page


def test_each_bad_field_is_named_and_nothing_is_stored(client, db: Session, settings) -> None:
    as_admin(client, db, settings)
    before = get_profile(db).name
    bad = {
        **GOOD,
        "postal_address": SAMPLE_POSTAL_ADDRESS,
        "from_email": "not an address",
        "timezone": "Mars/Olympus",
        "embed_allowed_origins": "baysidepain.org/signup",
        "utm_params": "source=x",
        "name": "Line one\r\nBcc: someone@else.test",
    }
    page = client.post("/admin/settings", data=bad)
    assert page.status_code == 400
    for message in (
        "Replace the sample address",
        "Sender address must be one email address",
        "Choose a time zone",
        "Give whole origins",
        "utm_ names only",
        "must be one line",
    ):
        assert message in page.text
    db.expire_all()
    assert get_profile(db).name == before
    assert db.scalars(select(AuditLog).where(AuditLog.action == "settings.change")).all() == []


def test_with_tracking_off_emails_have_no_pixel_and_direct_links(client, db: Session, settings) -> None:
    sequence = as_admin(client, db, settings)
    client.post("/admin/settings", data={**GOOD, "track_engagement": ""})
    active_subscriber(db, sequence)
    tick(settings, 0)
    email = outbox_messages(settings.outbox_dir)[-1]
    html = email.get_body(("html",)).get_content()
    assert "/t/o/" not in html and "/t/c/" not in html
    assert "unsubscribe" in html.lower()


def test_placeholders_are_named_on_the_dashboard_and_by_check(client, runner, db: Session, settings) -> None:
    as_admin(client, db, settings)
    get_profile(db).postal_address = SAMPLE_POSTAL_ADDRESS
    db.commit()
    dashboard = client.get("/admin/").text
    assert "The clinic's settings are not finished" in dashboard
    assert "postal address (still the sample address)" in dashboard
    assert 'href="/admin/settings"' in dashboard
    output = runner.invoke(args=["check"]).output
    assert "clinic settings: still to fill in" in output and "postal address" in output
