"""Rate limits per IP and per address, and CORS only for the origins the clinic allows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import ConsentRecord
from tests.conftest import make_settings
from tests.signup_helpers import decide_signups, post_form, post_json
from web import create_app

CLINIC_SITE = "https://clinic.example"


@pytest.fixture
def embed_client(database_url: str, redis_url: str, redis, tmp_path: Path):
    settings = make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, EMBED_ALLOWED_ORIGINS=CLINIC_SITE
    )
    return create_app(settings).test_client()


def test_one_address_gets_at_most_five_signups_an_hour(client) -> None:
    answers = [post_form(client, first_name=f"Try {n}").status_code for n in range(6)]
    assert answers == [303] * 5 + [429]
    refused = post_form(client)
    assert "Too many" in refused.text
    assert post_form(client, email="someone.else@example.com").status_code == 303


def test_one_ip_gets_at_most_ten_posts_a_minute(client) -> None:
    answers = [post_json(client, email=f"reader{n}@example.com").status_code for n in range(11)]
    assert answers == [202] * 10 + [429]
    assert post_json(client, email="late@example.com").json["error"] == "Too many requests"


def test_ips_behind_the_trusted_proxy_are_counted_apart(database_url, redis_url, redis, tmp_path) -> None:
    settings = make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, TRUSTED_PROXY_COUNT="1"
    )
    client = create_app(settings).test_client()
    for n in range(10):
        client.post(
            "/subscribe",
            json={"email": f"a{n}@example.com", "consent": True},
            headers={"X-Forwarded-For": "203.0.113.1"},
        )
    other = client.post(
        "/subscribe",
        json={"email": "b@example.com", "consent": True},
        headers={"X-Forwarded-For": "203.0.113.2"},
    )
    assert other.status_code == 202


def test_an_allowed_origin_may_post_with_javascript(embed_client, db: Session) -> None:
    preflight = embed_client.options(
        "/subscribe",
        headers={
            "Origin": CLINIC_SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == CLINIC_SITE
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    response = embed_client.post(
        "/subscribe", json={"email": "ada@example.com", "consent": True}, headers={"Origin": CLINIC_SITE}
    )
    assert response.status_code == 202
    assert response.headers["Access-Control-Allow-Origin"] == CLINIC_SITE
    decide_signups(db)
    assert db.scalars(select(ConsentRecord)).one().source == "embed"


def test_other_origins_get_no_cors_headers(embed_client) -> None:
    preflight = embed_client.options(
        "/subscribe", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers
    response = embed_client.post(
        "/subscribe",
        json={"email": "ada@example.com", "consent": True},
        headers={"Origin": "https://evil.example"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_admin_shows_the_embed_snippet(client, db: Session) -> None:
    from tests.test_admin_login import make_user, sign_in

    make_user(db)
    sign_in(client)
    page = client.get("/admin/embed").text
    assert (
        "action=&#34;http://127.0.0.1:5000/subscribe&#34;" in page
        or "http://127.0.0.1:5000/subscribe" in page
    )
    assert "embed.js" in page
    assert "data-nurture-signup" in page


EMBEDDED_FORM = {"embed": "1", "email": "ada@example.com", "consent": "yes"}


def test_the_embedded_form_posts_without_javascript_from_an_allowed_site(embed_client, db: Session) -> None:
    response = embed_client.post("/subscribe", data=EMBEDDED_FORM, headers={"Origin": CLINIC_SITE})
    assert response.status_code == 303
    assert db.scalars(select(ConsentRecord)).one().source == "embed"


def test_a_form_from_another_site_is_shown_again_on_ours_and_stores_nothing(
    embed_client, db: Session
) -> None:
    for origin in ("https://evil.example", "null", None):
        headers = {"Origin": origin} if origin else {}
        response = embed_client.post("/subscribe", data=EMBEDDED_FORM, headers=headers)
        assert response.status_code == 400
        assert "press the button once more" in response.text
        assert 'value="ada@example.com"' in response.text
    assert db.scalars(select(ConsentRecord)).all() == []
    ours = {"email": "ada@example.com", "consent": "yes", "csrf_token": csrf_in(response.text)}
    assert embed_client.post("/subscribe", data=ours).status_code == 303
    assert db.scalars(select(ConsentRecord)).one().source == "form"


def csrf_in(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
