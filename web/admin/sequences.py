"""The marketer's first view: every sequence and its steps at a glance."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from campaigns import clinic_settings
from campaigns.alerts import open_alerts
from campaigns.clinic import get_profile
from campaigns.enrollment import window_of
from campaigns.models import Sequence
from web.admin import bp
from web.admin.access import login_required
from web.database import get_session, get_settings
from web.health import background_health


@bp.get("/")
@login_required
def dashboard():
    """List the sequences with their steps, delays and send windows."""
    sequences = (
        get_session()
        .scalars(select(Sequence).options(selectinload(Sequence.steps)).order_by(Sequence.name))
        .all()
    )
    alerts = open_alerts(get_session())
    profile = get_profile(get_session())
    placeholders = (
        clinic_settings.placeholders(clinic_settings.current(profile, get_settings())) if profile else []
    )
    background = background_health(get_settings(), get_session(), datetime.now(UTC))
    return render_template(
        "admin/dashboard.html",
        sequences=sequences,
        alerts=alerts,
        background_problems=background.problems,
        placeholders=placeholders,
        window_of=window_of,
        user=g.user,
    )
