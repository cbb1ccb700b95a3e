"""The admin UI: sign-in, users, the marketer's view of the sequences."""

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
    integrations,
    sending,
    sequences,
    settings,
    steps,
    users,
)
