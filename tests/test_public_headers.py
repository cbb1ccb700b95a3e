"""Headers: HSTS once public, and no redirect ever takes its host from the request."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from web import create_app

PUBLIC = {
    "PUBLIC_BASE_URL": "https://news.clinic.example",
    "EMAIL_BACKEND": "sendgrid",
    "SENDGRID_API_KEY": "SG.test",
}
EVIL = {"Host": "evil.test"}


@pytest.fixture
def public_client(settings, tmp_path):
    """A client of the app in public mode, on the test database and Redis."""
    public = make_settings(
        tmp_path, DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url or "", **PUBLIC
    )
    assert not public.local_mode
    app = create_app(public)
    yield app.test_client()
    app.extensions["nurture"]["engine"].dispose()


def test_public_mode_sends_strict_transport_security(public_client, client) -> None:
    for path in ("/", "/admin/login", "/t/o/not-a-token", "/healthz"):
        response = public_client.get(path, base_url="https://news.clinic.example")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000"), path
    assert "Strict-Transport-Security" not in client.get("/").headers  # plain http on a laptop


@pytest.mark.parametrize("path", ["/t/c//x", "/t/c/", "/t/c", "/t/o//x", "/t//c/x", "/t/c/x/"])
def test_a_malformed_tracking_path_is_a_404_never_a_redirect(public_client, client, path) -> None:
    for each in (public_client, client):
        response = each.get(path, headers=EVIL)
        assert response.status_code == 404, path
        assert "Location" not in response.headers


@pytest.mark.parametrize("path", ["/admin", "//admin/", "/admin/steps/1/", "/confirm//x"])
def test_redirects_never_take_their_host_from_the_host_header(public_client, path) -> None:
    response = public_client.get(path, headers=EVIL)
    location = response.headers.get("Location", "")
    assert "evil.test" not in location, (path, response.status_code, location)
    if location.startswith("http"):
        assert location.startswith("https://news.clinic.example/")
