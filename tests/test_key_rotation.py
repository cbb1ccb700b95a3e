"""Rotating SECRET_KEY: links in emails already sent keep working while the old key is a fallback."""

from __future__ import annotations

import re

import pytest

from campaigns.errors import SettingsError
from tests.conftest import SECRET_KEY, make_settings
from tests.factories import active_subscriber, outbox_messages, seeded
from tests.test_tick import tick
from tests.test_tracked_links import path

NEW_KEY = "a-new-secret-key-for-the-rotation-0123456789"


def test_links_signed_with_the_old_key_work_while_it_is_a_fallback(db, settings, tmp_path) -> None:
    from web import create_app

    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)  # the email goes out signed with the old key
    html = outbox_messages(settings.outbox_dir)[0].get_body(preferencelist=("html",)).get_content()
    [click] = re.findall(r'href="(http://127\.0\.0\.1:5000/t/c/[^"]+)"', html)
    overrides = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or ""}
    rotating = make_settings(tmp_path, SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=SECRET_KEY, **overrides)
    rotated = make_settings(tmp_path, SECRET_KEY=NEW_KEY, **overrides)
    for keys, status in ((rotating, 302), (rotated, 404)):
        app = create_app(keys)
        assert app.test_client().get(path(click)).status_code == status
        app.extensions["nurture"]["engine"].dispose()


def test_a_short_fallback_key_is_refused_at_start_up(tmp_path) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY_FALLBACKS"):
        make_settings(tmp_path, SECRET_KEY_FALLBACKS="short")
