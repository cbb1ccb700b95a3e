"""`/admin/settings` (admins only): the clinic's details, sender identity, embedding, tracking."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import available_timezones

from flask import abort, flash, redirect, render_template, request, url_for

from campaigns import clinic_settings
from campaigns.clinic import get_profile
from campaigns.settings import is_sample_address
from campaigns.statuses import Role
from web.admin import bp
from web.admin.access import audit, role_required
from web.database import get_session, get_settings

NOT_SEEDED = "Run `flask --app wsgi seed` first: there is no clinic profile yet."
ZONES = sorted(zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc/"))


def _page(values: clinic_settings.ClinicSettings, errors: dict[str, str] | None = None, status: int = 200):
    return render_template(
        "admin/settings.html",
        values=values,
        errors=errors or {},
        labels=clinic_settings.LABELS,
        zones=ZONES,
        placeholders=clinic_settings.placeholders(values),
        sample_address=is_sample_address(values.postal_address),
    ), status


@bp.get("/settings")
@role_required(Role.ADMIN)
def settings():
    """Show the clinic's settings, naming any that still hold a placeholder."""
    profile = get_profile(get_session())
    if profile is None:
        abort(409, description=NOT_SEEDED)
    return _page(clinic_settings.current(profile, get_settings()))


@bp.post("/settings")
@role_required(Role.ADMIN)
def save_settings():
    """Check every field; store all of them, or none and say which are wrong."""
    db, now = get_session(), datetime.now(UTC)
    profile = get_profile(db)
    if profile is None:
        abort(409, description=NOT_SEEDED)
    values, errors = clinic_settings.parse(request.form)
    if errors:
        return _page(values, errors, 400)
    changes = clinic_settings.apply(profile, values, now)
    if not changes:
        flash("Nothing changed.", "info")
        return redirect(url_for("admin.settings"), code=303)
    audit("settings.change", "clinic", now, changes=changes)
    db.commit()
    names = ", ".join(clinic_settings.LABELS[key].lower() for key in changes)
    flash(f"Saved: {names}. The next email uses them.", "info")
    return redirect(url_for("admin.settings"), code=303)
