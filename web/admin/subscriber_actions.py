"""What staff do to one person: unsubscribe, suppress, resend the confirmation, enroll, end an enrollment."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, request, url_for

from campaigns.clinic import clinic_zone
from campaigns.errors import ValidationError
from campaigns.models import Enrollment, Sequence, Subscriber
from campaigns.people import actions
from web.admin import bp
from web.admin.people_access import actor_id, acts, refuse
from web.database import get_session, get_settings
from web.queueing import enqueue_soon


def _person(subscriber_id: int) -> Subscriber:
    person = get_session().get(Subscriber, subscriber_id)
    if person is None:
        abort(404)
    return person


def _done(person: Subscriber, message: str):
    get_session().commit()
    flash(message)
    return redirect(url_for("admin.subscriber", subscriber_id=person.id), code=303)


@bp.post("/subscribers/<int:subscriber_id>/unsubscribe")
@acts
def unsubscribe_subscriber(subscriber_id: int):
    """Unsubscribe a person from everything."""
    person = _person(subscriber_id)
    try:
        actions.unsubscribe_by_hand(get_session(), person, actor_id(), datetime.now(UTC))
    except ValidationError as exc:
        refuse(exc)
    return _done(person, "Unsubscribed from everything.")


@bp.post("/subscribers/<int:subscriber_id>/suppress")
@acts
def suppress_subscriber(subscriber_id: int):
    """Put a person on the suppression list, with a reason."""
    person = _person(subscriber_id)
    try:
        actions.suppress_by_hand(
            get_session(), person, request.form.get("reason", "")[:1000], actor_id(), datetime.now(UTC)
        )
    except ValidationError as exc:
        refuse(exc)
    return _done(person, "On the suppression list: no email of any kind goes to this address.")


@bp.post("/subscribers/<int:subscriber_id>/resend-confirmation")
@acts
def resend_subscriber_confirmation(subscriber_id: int):
    """Send a person who has not confirmed a fresh confirmation email."""
    person = _person(subscriber_id)
    try:
        record = actions.resend_confirmation(get_session(), person, actor_id(), datetime.now(UTC))
    except ValidationError as exc:
        refuse(exc)
    get_session().commit()
    enqueue_soon("workers.jobs.send_confirmation_email", record.id)
    return _done(person, "A fresh confirmation email is on its way.")


@bp.post("/subscribers/<int:subscriber_id>/enroll")
@acts
def enroll_subscriber(subscriber_id: int):
    """Enroll a person in another sequence."""
    person, db = _person(subscriber_id), get_session()
    raw = request.form.get("sequence_id", "")
    sequence = db.get(Sequence, int(raw)) if raw.isdigit() and len(raw) < 12 else None
    if sequence is None:
        abort(400, description="Choose a sequence.")
    zone = ZoneInfo(person.timezone or clinic_zone(db, get_settings()))
    try:
        actions.enroll_by_hand(db, person, sequence, zone, actor_id(), datetime.now(UTC))
    except ValidationError as exc:
        refuse(exc)
    return _done(person, f"Enrolled in {sequence.name}.")


@bp.post("/subscribers/<int:subscriber_id>/enrollments/<int:enrollment_id>/end")
@acts
def end_subscriber_enrollment(subscriber_id: int, enrollment_id: int):
    """End one of a person's sequences at once."""
    person, db = _person(subscriber_id), get_session()
    enrollment = db.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.subscriber_id != person.id:
        abort(404)
    try:
        actions.end_enrollment(db, enrollment, actor_id(), datetime.now(UTC))
    except ValidationError as exc:
        refuse(exc)
    return _done(person, f"Ended {enrollment.sequence.name}.")
