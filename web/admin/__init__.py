"""The admin UI: sign-in, users, the marketer's view of the sequences, and the people on the list."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The views register themselves on bp.
from web.admin import (  # noqa: E402,F401
    access,
    account,
    audit_log,
    auth,
    confirmations,
    embed,
    imports,
    integrations,
    live_editor,
    privacy,
    sending,
    sequence_settings,
    sequences,
    settings,
    stats_page,
    step_history,
    step_order,
    steps,
    subscriber_actions,
    subscribers,
    suppressions,
    users,
)
