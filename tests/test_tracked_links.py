"""Every link in an email is a signed click URL for that send; forged ones go nowhere."""

from __future__ import annotations

import re

from sqlalchemy import select

from campaigns.db import make_session_factory
from campaigns.models import Event
from campaigns.tokens import sign
from tests.conftest import engine_for
from tests.factories import active_subscriber, outbox_messages, seeded
from tests.test_tick import tick
from workers.hit_buffer import drain


def drained(client, settings, redis) -> int:
    """Send this process's queued hits on, then run the drain job as rq cron does every few seconds."""
    flush_hits(client)
    return drain(redis, make_session_factory(engine_for(settings.database_url)))


def flush_hits(client) -> None:
    """Send the web process's queued hits to the stream now, instead of within 50 ms."""
    sender = client.application.extensions["nurture"].get("hit_sender")
    if sender is not None:
        sender.flush()


def first_email(db, settings):
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    return outbox_messages(settings.outbox_dir)[0]


def path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_links_are_tracked_and_redirect_to_their_target_with_utm_only_on_own_links(
    client, db, settings, redis
) -> None:
    email = first_email(db, settings)
    html = email.get_body(preferencelist=("html",)).get_content()
    [click] = re.findall(r'href="(http://127\.0\.0\.1:5000/t/c/[^"]+)"', html)
    response = client.get(path(click))
    assert response.status_code == 302
    assert (
        response.headers["Location"] == "https://www.niams.nih.gov/health-topics/fibromyalgia"
    )  # not ours: no utm
    assert db.scalars(select(Event)).all() == []  # queued and buffered, not yet recorded
    assert drained(client, settings, redis) == 1
    event = db.scalars(select(Event)).one()
    assert (event.kind, event.send_id) == ("click", 1)


def test_the_open_pixel_answers_a_gif_that_is_never_cached(client, db, settings, redis) -> None:
    email = first_email(db, settings)
    html = email.get_body(preferencelist=("html",)).get_content()
    pixel = re.search(r'src="(http://127\.0\.0\.1:5000/t/o/[^"]+)"', html).group(1)
    response = client.get(path(pixel))
    assert response.status_code == 200 and response.mimetype == "image/gif"
    assert "no-store" in response.headers["Cache-Control"]
    drained(client, settings, redis)
    assert db.scalars(select(Event)).one().kind == "open"


def test_forged_foreign_and_tampered_tokens_get_404_and_no_redirect(client, db, settings, redis) -> None:
    first_email(db, settings)
    secret = settings.secret_key
    for bad in (
        "/t/c/garbage",
        "/t/c/" + sign("another secret key that is long enough!!", "click", [1, 1]),
        "/t/c/" + sign(secret, "open", [1, 1]),
        "/t/c/" + sign(secret, "click", [1, 999]),
        "/t/c/" + sign(secret, "click", ["1", "1"]),
        "/t/c/" + "a" * 400,
        "/t/o/" + sign(secret, "click", [1]),
        "/t/c/x?next=https://evil.example",
    ):
        response = client.get(bad)
        assert response.status_code == 404, bad
        assert "Location" not in response.headers
    assert drained(client, settings, redis) == 0
    assert db.scalars(select(Event)).all() == []


def test_links_to_the_clinics_own_site_get_utm_parameters_from_the_settings(tmp_path) -> None:
    from tests.conftest import make_settings
    from tests.email_helpers import SENDER

    settings = make_settings(tmp_path, UTM_PARAMS="utm_source=newsletter&utm_medium=email")
    sender = SENDER.__class__(**{**SENDER.__dict__, "utm_params": settings.utm_params})
    tagged = sender.with_utm("https://news.clinic.example/consultation", "fibro", "step-6")
    assert tagged.endswith("?utm_campaign=fibro&utm_content=step-6&utm_source=newsletter&utm_medium=email")
    assert sender.with_utm("https://www.fda.gov/x", "fibro", "step-6") == "https://www.fda.gov/x"
    assert "utm_source=mine" in sender.with_utm("https://news.clinic.example/?utm_source=mine", "c", "s")


def test_behind_a_load_balancer_the_pixel_sees_the_readers_address(db, settings, redis, tmp_path) -> None:
    from tests.conftest import make_settings
    from web import create_app

    urls = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or ""}
    behind = make_settings(tmp_path / "behind", TRUSTED_PROXY_COUNT="1", **urls)
    email = first_email(db, settings)
    html = email.get_body(preferencelist=("html",)).get_content()
    pixel = path(re.search(r'src="(http://127\.0\.0\.1:5000/t/o/[^"]+)"', html).group(1))
    app = create_app(behind)
    client = app.test_client()
    agent = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0 Safari/537.36"}
    assert client.get(pixel, headers={**agent, "X-Forwarded-For": "17.58.63.1"}).status_code == 200
    drained(client, settings, redis)
    app.extensions["nurture"]["hit_sender"].close()
    event = db.scalars(select(Event)).one()
    assert event.automated and event.data["automated"], "Apple's proxy address, not the balancer's"


def test_the_pixel_answers_only_get_and_head(client, db, settings) -> None:
    email = first_email(db, settings)
    html = email.get_body(preferencelist=("html",)).get_content()
    pixel = path(re.search(r'src="(http://127\.0\.0\.1:5000/t/o/[^"]+)"', html).group(1))
    head = client.head(pixel)
    assert head.status_code == 200 and head.data == b"" and head.mimetype == "image/gif"
    posted = client.post(pixel)
    assert posted.status_code == 405 and posted.headers["Allow"] == "GET, HEAD"
    assert client.get("/t/o/").status_code == 404 and client.get("/t/o").status_code == 404
