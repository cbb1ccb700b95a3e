"""Unsubscribe links. GET shows the choices and changes nothing; POST acts.

Mail apps' one-click button (RFC 8058) posts `List-Unsubscribe=One-Click` to the same URL; that
unsubscribes at once and answers 200, with no redirect.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request

from campaigns.addresses import masked
from campaigns.exits import pause_ends
from campaigns.leaving import leave, pause, subscriber_of_link
from campaigns.models import Subscriber
from campaigns.statuses import SubscriberStatus
from campaigns.test_send import SAMPLE_LINK_TOKEN
from campaigns.tokens import InvalidToken
from web.database import get_session, get_settings
from web.public import clinic_context

bp = Blueprint("unsubscribe", __name__)
ONE_CLICK = "One-Click"


def _subscriber(token: str):
    try:
        return subscriber_of_link(get_session(), get_settings().verifying_keys, token)
    except InvalidToken:
        abort(
            404, description="This unsubscribe link is not valid. If you keep receiving emails, reply to one."
        )


def _page(token: str, subscriber: Subscriber, done: str | None):
    gone = subscriber.status != SubscriberStatus.ACTIVE or done == "left"
    return render_template(
        "unsubscribe.html",
        token=token,
        gone=gone,
        done=done,
        paused_until=pause_ends(subscriber, datetime.now(UTC)),
        address=masked(subscriber.email),
        **clinic_context(),
    )


@bp.route("/unsubscribe/" + SAMPLE_LINK_TOKEN, methods=["GET", "POST"])
def test_email():
    """Say that the link came in a test email, so there is nobody to unsubscribe."""
    if request.form.get("List-Unsubscribe") == ONE_CLICK:
        return Response(
            "This was a test email: nobody was unsubscribed.\n", status=200, mimetype="text/plain"
        )
    return render_template("unsubscribe_test.html", **clinic_context())


@bp.get("/unsubscribe/<token>")
def choices(token: str):
    """Offer to leave everything, or to pause for 30 days."""
    subscriber, _ = _subscriber(token)
    return _page(token, subscriber, None)


@bp.post("/unsubscribe/<token>")
def act(token: str):
    """Leave, or pause; one-click posts from mail apps leave at once."""
    subscriber, send_id = _subscriber(token)
    db, now = get_session(), datetime.now(UTC)
    if request.form.get("List-Unsubscribe") == ONE_CLICK:
        leave(db, subscriber, send_id, now)
        db.commit()
        return Response("You are unsubscribed.\n", status=200, mimetype="text/plain")
    action = request.form.get("action")
    if action == "leave":
        leave(db, subscriber, send_id, now)
        done = "left"
    elif action == "pause" and subscriber.status == SubscriberStatus.ACTIVE:
        pause(subscriber, now)
        done = "paused"
    else:
        abort(400, description="Choose to unsubscribe, or to pause the emails for 30 days.")
    db.commit()
    return _page(token, subscriber, done)
