"""`POST /subscribe`: the signup form, the embedded form and the JSON API, with one answer for all."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from campaigns.clinic import embed_origins
from campaigns.models import Sequence
from campaigns.sequences.catalog import joinable
from campaigns.signup import record_attempt
from web.database import get_session, get_settings
from web.limits import address_allowed
from web.public import clinic_context, signup_context
from web.queueing import enqueue_soon
from web.security import protect_now
from web.signup_input import (
    InvalidSignup,
    Visit,
    is_honeypot_filled,
    signup_from_form,
    signup_from_json,
)

bp = Blueprint("subscribe", __name__)

PRESS_AGAIN = "Please check your details and press the button once more to send them."

ACCEPTED_MESSAGE = (
    "Thank you. If this address can receive our emails, a confirmation link is on its way: "
    "check your inbox, and press the button in that email to start."
)


@bp.route("/subscribe", methods=["POST", "OPTIONS"])
def subscribe():
    """Take a signup as a form post or as JSON; answer the same whatever the address's state."""
    if request.method == "OPTIONS":
        return preflight()
    if request.is_json:
        return subscribe_json()
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return subscribe_form()
    abort(415, description="Send the signup as a form, or as JSON with Content-Type: application/json.")


def subscribe_form():
    """Handle the HTML form: a redirect to "check your inbox", or the form again with messages."""
    try:
        sequence = chosen_sequence(request.form.get("sequence"))
    except InvalidSignup:
        abort(400, description="This signup page no longer takes signups. Please use the main page.")
    if not form_is_trusted():
        return form_again({"form": PRESS_AGAIN}, sequence)
    if is_honeypot_filled(request.form):
        return redirect(url_for("subscribe.check_inbox"), code=303)
    channel = "embed" if request.form.get("embed") == "1" else "form"
    try:
        signup = signup_from_form(request.form, visit(channel, sequence), get_settings().check_deliverability)
    except InvalidSignup as exc:
        return form_again(exc.fields, sequence)
    accept(replace(signup, sequence_id=sequence.id if sequence else None))
    return redirect(url_for("subscribe.check_inbox"), code=303)


def form_is_trusted() -> bool:
    """Tell whether a form post may be used: our own page's CSRF token, or an allowed embedding site.

    The clinic's embedded form posts from its own site, where no cookie of ours exists; the
    browser's Origin header says which site that is. Any other post needs our page's token.
    """
    if request.form.get("embed") == "1" and allowed_origin():
        return True
    try:
        protect_now()
    except CSRFError:
        return False
    return True


def form_again(errors: dict[str, str], sequence: Sequence | None = None):
    """Show our own form (the sequence's page, or the main one) again with what was typed and why."""
    values = {
        "email": request.form.get("email", "")[:320],
        "first_name": request.form.get("first_name", "")[:100],
    }
    context = {**signup_context(sequence), "errors": errors, "values": values, "sequence": sequence}
    return render_template("sequence_landing.html" if sequence else "landing.html", **context), 400


def subscribe_json():
    """Handle JSON: 202 with a message, or 400 naming each bad field."""
    body = request.get_json(silent=True)
    if body is None:
        abort(400, description='The body must be a JSON object, such as {"email": ..., "consent": true}.')
    if isinstance(body, dict) and is_honeypot_filled(body):
        return jsonify(status="accepted", message=ACCEPTED_MESSAGE), 202
    channel = "embed" if allowed_origin() else "api"
    fields: dict[str, str] = {}
    try:
        sequence = chosen_sequence(body.get("sequence") if isinstance(body, dict) else None)
    except InvalidSignup as exc:
        fields, sequence = exc.fields, None
    try:
        signup = signup_from_json(body, visit(channel, sequence), get_settings().check_deliverability)
    except InvalidSignup as exc:
        fields = {**exc.fields, **fields}
    if fields:
        return jsonify(error="Some fields need attention.", fields=fields), 400
    accept(replace(signup, sequence_id=sequence.id if sequence else None))
    return jsonify(status="accepted", message=ACCEPTED_MESSAGE), 202


def chosen_sequence(slug: object) -> Sequence | None:
    """Return the sequence a signup names by its slug (None: the default), or refuse it."""
    if slug is None or slug == "":
        return None
    sequence = joinable(get_session(), slug[:80]) if isinstance(slug, str) else None
    if sequence is None:
        raise InvalidSignup({"sequence": "sequence must be the address of a sequence that takes signups."})
    return sequence


def accept(signup) -> None:
    """Record the attempt and queue the job that decides it, within the per-address limit.

    The same insert and the same job for every address, whatever its state, so the answer's
    timing tells nobody whether the address is on the list.
    """
    if not address_allowed(signup.email):
        abort(429, description="Too many signups for this address. Please try again in an hour.")
    db = get_session()
    attempt = record_attempt(db, signup, datetime.now(UTC))
    db.commit()
    enqueue_soon("workers.jobs.process_signup", attempt.id)


def visit(channel: str, sequence: Sequence | None) -> Visit:
    """Describe where this request came from, and the words its visitor agreed to."""
    return Visit(
        channel=channel,
        ip_address=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
        referrer=request.headers.get("Referer"),
        consent_text=signup_context(sequence)["consent_text"],
    )


@bp.get("/check-your-inbox")
def check_inbox():
    """Tell the visitor what happens next."""
    return render_template("check_inbox.html", **clinic_context())


def allowed_origin() -> str | None:
    """Return the request's Origin if settings allow it to post with JavaScript (asked once a request)."""
    if "allowed_origin" not in g:
        origin = request.headers.get("Origin")
        allowed = origin and origin in embed_origins(get_session(), get_settings())
        g.allowed_origin = origin if allowed else None
    return g.allowed_origin  # type: ignore[no-any-return]


def preflight() -> Response:
    """Answer a CORS preflight: only for the origins settings allow."""
    if not allowed_origin():
        abort(403, description="This website may not post the signup form with JavaScript.")
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.after_request
def add_cors_headers(response: Response) -> Response:
    """Let allowed origins read the answer, and caches know it depends on the origin."""
    origin = allowed_origin()
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.vary.add("Origin")
    return response
