"""The admin UI: sign-in, the marketer's view of the sequences, and the people on the list."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from web.admin import (  # noqa: E402,F401  (views register on bp)
    auth,
    embed,
    imports,
    privacy,
    sending,
    sequences,
    steps,
    subscriber_actions,
    subscribers,
    suppressions,
)
