"""Double opt-in links: GET shows a button and changes nothing; POST confirms.

Mail scanners fetch every link in an email, so only a person pressing the button confirms.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, redirect, render_template, request, url_for

from campaigns.clinic import clinic_zone
from campaigns.confirmation import ConfirmOutcome, confirm, is_stale, read_token, request_new_link
from campaigns.models import ConsentRecord
from campaigns.statuses import SubscriberStatus
from campaigns.tokens import InvalidToken, issued_at
from web.database import get_session, get_settings
from web.public import clinic_context
from web.queueing import enqueue_soon
from web.signup_input import clean_user_agent

bp = Blueprint("confirm", __name__)


def token_ids(token: str) -> tuple[int, int]:
    """Return (subscriber id, consent id) from the link, or raise InvalidToken."""
    return read_token(get_settings().secret_key, token, datetime.now(UTC))


def bad_link(token: str, error: InvalidToken):
    """Show what to do about an expired or invalid link."""
    if error.expired:
        return render_template("confirm_expired.html", token=token, **clinic_context()), 410
    return render_template("confirm_invalid.html", **clinic_context()), 400


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    """Show the confirm button (or say it was already pressed); change nothing."""
    try:
        _, consent_id = token_ids(token)
    except InvalidToken as error:
        return bad_link(token, error)
    db = get_session()
    record = db.get(ConsentRecord, consent_id)
    if record and record.subscriber.status == SubscriberStatus.ACTIVE:
        return render_template("confirmed.html", outcome=ConfirmOutcome.ALREADY, **clinic_context())
    if record and is_stale(db, record, issued_at(token)):
        return render_template("confirmed.html", outcome=ConfirmOutcome.STALE, **clinic_context()), 409
    return render_template("confirm.html", token=token, **clinic_context())


@bp.post("/confirm/<token>")
def confirm_submit(token: str):
    """Confirm the subscription and enroll the subscriber."""
    try:
        subscriber_id, consent_id = token_ids(token)
    except InvalidToken as error:
        return bad_link(token, error)
    db = get_session()
    context = clinic_context()
    zone = clinic_zone(db, get_settings())
    outcome = confirm(db, subscriber_id, consent_id, zone, datetime.now(UTC), issued_at(token))
    db.commit()
    status = 409 if outcome in (ConfirmOutcome.UNAVAILABLE, ConfirmOutcome.STALE) else 200
    return render_template("confirmed.html", outcome=outcome, **context), status


@bp.post("/confirm/<token>/new-link")
def new_link(token: str):
    """Send a fresh confirmation email for an expired link; answer as a signup does."""
    try:
        token_ids(token)
    except InvalidToken as error:
        if not error.expired:  # an expired token's payload is known to be its two ids
            return bad_link(token, error)
        db = get_session()
        record = request_new_link(
            db,
            error.payload[1],
            request.remote_addr,
            clean_user_agent(request.headers.get("User-Agent")),
            datetime.now(UTC),
        )
        db.commit()
        if record is not None:
            enqueue_soon("workers.jobs.send_confirmation_email", record.id)
    return redirect(url_for("subscribe.check_inbox"), code=303)
