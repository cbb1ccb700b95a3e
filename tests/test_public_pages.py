"""Public pages: the clinic's branding, no third-party content, and plain error pages."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from campaigns.settings import Settings
from tests.factories import seeded


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
