"""`/consultation`: the request form at the end of every sequence."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Blueprint, redirect, render_template, request, url_for

from campaigns.addresses import clean_first_name, has_forbidden_characters, normalize_email
from campaigns.conversions import Booking, record_conversion
from campaigns.errors import ValidationError
from campaigns.models import Subscriber
from campaigns.tokens import InvalidToken, unsign_ids
from web.database import get_session, get_settings
from web.public import clinic_context
from web.queueing import enqueue_soon
from web.signup_input import HONEYPOT_FIELD

bp = Blueprint("consultation", __name__)

CONTACT_TIMES = {
    "any": "any time",
    "morning": "in the morning",
    "afternoon": "in the afternoon",
    "evening": "in the evening",
}
MAX_MESSAGE = 2000
PHONE = re.compile(r"^[0-9 +().-]{5,30}$")


def consent_wording(clinic_name: str) -> str:
    """Return the words a person agrees to when asking for a consultation."""
    return f"I agree that {clinic_name} may contact me by email or phone about this request."


def subscriber_from_link() -> int | None:
    """Return the subscriber a signed link from an email names, if any."""
    try:
        return unsign_ids(get_settings().secret_key, "consult", request.values.get("s", ""), 1)[0]
    except InvalidToken:
        return None


def _page(errors: dict[str, str] | None = None, values: dict[str, str] | None = None, status: int = 200):
    context = clinic_context()
    return render_template(
        "consultation.html",
        errors=errors or {},
        values=values or {},
        times=CONTACT_TIMES,
        consent=consent_wording(context["clinic_name"]),
        token=request.values.get("s", "")[:300],
        **context,
    ), status


@bp.get("/consultation")
def form():
    """Show the request form, filled in for a subscriber who came from a link in an email."""
    subscriber_id = subscriber_from_link()
    subscriber = get_session().get(Subscriber, subscriber_id) if subscriber_id else None
    if subscriber is None:
        return _page()
    return _page(values={"name": subscriber.first_name or "", "email": subscriber.email})


@bp.post("/consultation")
def submit():
    """Record the request, stop the emails, and confirm it."""
    form_values = {
        k: request.form.get(k, "")[: MAX_MESSAGE + 1] for k in ("name", "email", "phone", "time", "message")
    }
    if request.form.get(HONEYPOT_FIELD):
        return redirect(url_for("consultation.thanks"), code=303)
    errors: dict[str, str] = {}
    booking = _booking(form_values, errors)
    if booking is None:
        return _page(errors, form_values, 400)
    db = get_session()
    conversion = record_conversion(db, booking, datetime.now(UTC))
    db.commit()
    enqueue_soon("workers.jobs.send_consultation_emails", conversion.id)
    return redirect(url_for("consultation.thanks"), code=303)


def _booking(values: dict[str, str], errors: dict[str, str]) -> Booking | None:
    try:
        name = clean_first_name(values["name"]) or ""
    except ValidationError:
        errors["name"] = "Please give your name on one line."
        name = ""
    if not name:
        errors.setdefault("name", "Please tell us your name.")
    try:
        email = normalize_email(values["email"])
    except ValidationError as exc:
        errors["email"], email = str(exc), ""
    phone = values["phone"].strip()
    if phone and not PHONE.match(phone):
        errors["phone"] = "Please give a phone number with digits, spaces and + ( ) - only."
    if values["time"] not in CONTACT_TIMES:
        errors["time"] = "Please choose when we may contact you."
    message = values["message"].replace("\r\n", "\n").strip()
    if len(message) > MAX_MESSAGE or has_forbidden_characters(message.replace("\n", "").replace("\t", "")):
        errors["message"] = f"Please keep the message to {MAX_MESSAGE} characters of plain text."
    if request.form.get("consent") != "yes":
        errors["consent"] = "Please tick the box so that we may contact you."
    if errors:
        return None
    return Booking(
        email=email,
        source="form",
        name=name,
        phone=phone,
        preferred_time=CONTACT_TIMES[values["time"]],
        message=message,
        consent_text=consent_wording(clinic_context()["clinic_name"]),
        subscriber_id=subscriber_from_link(),
    )


@bp.get("/consultation/thanks")
def thanks():
    """Tell the person what happens next."""
    return render_template("consultation_thanks.html", **clinic_context())
