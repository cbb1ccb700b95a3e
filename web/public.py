"""Public pages a visitor sees: the landing page, the privacy notice and the site icon."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, send_from_directory

from campaigns.clinic import get_profile, sender_for
from campaigns.consent import consent_text
from campaigns.models import Sequence
from campaigns.sequences.catalog import joinable
from web.database import get_session, get_settings

bp = Blueprint("public", __name__)


def clinic_context() -> dict[str, str]:
    """Return the clinic's name, address, color, privacy notice, consent wording and what it sells."""
    profile = get_profile(get_session())
    settings = get_settings()
    clinic_name = profile.name if profile else settings.from_name
    return {
        "clinic_name": clinic_name,
        "consent_text": consent_text(clinic_name),
        "postal_address": profile.postal_address if profile else settings.postal_address,
        "brand_color": profile.brand_color if profile else "#1f5f8b",
        "privacy_notice": profile.privacy_notice if profile else "",
        "privacy_contact": (profile.privacy_contact or "") if profile else "",
        **sender_for(get_session(), settings).disclosures(),
    }


def signup_context(sequence: Sequence | None) -> dict[str, str]:
    """Return the clinic's context with the consent wording of the sequence a signup joins."""
    context = clinic_context()
    if sequence is not None and not sequence.is_default:
        context["consent_text"] = consent_text(context["clinic_name"], sequence.name)
    return context


@bp.get("/")
def landing():
    """Show the landing page in the clinic's branding."""
    return render_template("landing.html", **clinic_context())


@bp.get("/s/<slug>")
def sequence_landing(slug: str):
    """Show one sequence's own signup page, or 404 while it takes no signups."""
    sequence = joinable(get_session(), slug[:80])
    if sequence is None:
        abort(404)
    return render_template("sequence_landing.html", sequence=sequence, **signup_context(sequence))


@bp.get("/privacy")
def privacy():
    """Show the clinic's privacy notice."""
    return render_template("privacy.html", **clinic_context())


@bp.get("/favicon.ico")
def favicon():
    """Serve the icon browsers ask for at the root, so no visit logs a 404."""
    assert current_app.static_folder is not None
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=86400)
