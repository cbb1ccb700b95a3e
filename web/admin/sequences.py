"""The marketer's first view: every sequence and its steps at a glance."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from campaigns.alerts import open_alerts
from campaigns.clinic import sender_for
from campaigns.composing import Sender
from campaigns.enrollment import window_of
from campaigns.models import Sequence
from campaigns.sequences.overview import overview
from campaigns.settings import is_sample_address
from web.admin import bp
from web.admin.auth import login_required
from web.database import get_session, get_settings
from web.health import background_health


@bp.get("/")
@login_required
def dashboard():
    """Answer "how are we doing?", then list the sequences with their steps, delays and send windows."""
    db, now = get_session(), datetime.now(UTC)
    sequences = db.scalars(
        select(Sequence).options(selectinload(Sequence.steps)).order_by(Sequence.name)
    ).all()
    alerts = open_alerts(db)
    background = background_health(get_settings(), db, now)
    return render_template(
        "admin/dashboard.html",
        sequences=sequences,
        alerts=alerts,
        background_problems=background.problems,
        window_of=window_of,
        overview=overview(db, now),
        placeholder_warnings=placeholder_warnings(sender_for(db, get_settings())),
        user=g.user,
    )


def placeholder_warnings(sender: Sender) -> list[str]:
    """Say which of the clinic's details are still the samples every email would show."""
    warnings = []
    if is_sample_address(sender.postal_address):
        warnings.append(
            "The postal address is still the sample one: every email's footer shows it, and publishing "
            "refuses it. Set the clinic's real address (POSTAL_ADDRESS, or the clinic profile)."
        )
    if sender.address.domain in ("clinic.example", "example.com"):
        warnings.append(
            f"Emails are sent from {sender.address.addr_spec}, a sample address: set FROM_EMAIL to one "
            "on the clinic's own domain."
        )
    return warnings
