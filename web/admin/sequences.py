"""The marketer's first view: every sequence and its steps at a glance."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from campaigns.alerts import open_alerts
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
    background = background_health(get_settings(), get_session(), datetime.now(UTC))
    return render_template(
        "admin/dashboard.html",
        sequences=sequences,
        alerts=alerts,
        background_problems=background.problems,
        window_of=window_of,
        user=g.user,
    )
