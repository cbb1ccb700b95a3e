"""Public pages: the clinic's branding, no third-party content, and plain error pages."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from campaigns.settings import SAMPLE_POSTAL_ADDRESS, Settings
from tests.conftest import make_settings
from tests.factories import seeded
from web import create_app


def engine_for_url(db: Session) -> str:
    return db.get_bind().url.render_as_string(hide_password=False)


def test_the_landing_page_carries_the_clinic_name_and_address(
    client, db: Session, settings: Settings
) -> None:
    seeded(db, settings)
    page = client.get("/")
    assert page.status_code == 200
    assert "Harbor Regenerative Clinic" in page.text
    assert "12 Harbor Street, Portland, ME 04101" in page.text
    assert "not medical advice" in page.text


def test_public_pages_load_nothing_from_other_sites(client, db: Session, settings: Settings) -> None:
    seeded(db, settings)
    for path in ("/", "/privacy", "/admin/login"):
        page = client.get(path)
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert all(s.startswith("/") for s in sources), (path, sources)
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"


def test_the_privacy_notice_is_shown(client, db: Session, settings: Settings) -> None:
    seeded(db, settings)
    page = client.get("/privacy")
    assert page.status_code == 200
    assert "never sell or share" in page.text


def test_an_unknown_page_is_a_plain_404(client) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Page not found" in page.text
    assert (
        client.get("/no-such-page", headers={"Accept": "application/json"}).json["error"] == "Page not found"
    )


def test_an_oversized_body_is_refused_with_413(client) -> None:
    response = client.post("/admin/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_local_mode_shows_visitors_a_neutral_sample_address_not_a_setup_note(db: Session, tmp_path) -> None:
    local = make_settings(tmp_path, DATABASE_URL=engine_for_url(db), POSTAL_ADDRESS="")
    assert local.postal_address == SAMPLE_POSTAL_ADDRESS
    seeded(db, local)
    client = create_app(local).test_client()
    for path in ("/", "/privacy"):
        page = client.get(path).text
        assert SAMPLE_POSTAL_ADDRESS in page
        assert "POSTAL_ADDRESS" not in page and "(set" not in page


def test_the_site_icon_exists(client) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert icon.headers["Content-Type"] in ("image/vnd.microsoft.icon", "image/x-icon")
