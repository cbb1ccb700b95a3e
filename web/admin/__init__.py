"""The admin UI: sign-in, and the marketer's view of the sequences."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from web.admin import auth, embed, integrations, sending, sequences, steps  # noqa: E402,F401  (views register on bp)
