"""The admin UI: sign-in, and the marketer's view of the sequences."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from web.admin import (  # noqa: E402,F401  (views register on bp)
    auth,
    embed,
    live_editor,
    sending,
    sequence_settings,
    sequences,
    stats_page,
    step_history,
    step_order,
    steps,
)
