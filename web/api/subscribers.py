"""Subscribers: sign up with double opt-in, list and follow changes, correct, unsubscribe, erase."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, request

from campaigns.consent import CONSENT_VERSION
from campaigns.leaving import leave
from campaigns.models import Subscriber
from campaigns.people.privacy import erase_person
from campaigns.signup import Signup, record_attempt
from campaigns.subscriber_listing import SubscriberFilter, enrollments_of, subscriber_page
from web.api.auth import token_required
from web.api.cursors import make_cursor, read_cursor
from web.api.problems import ProblemError
from web.api.spec import answers, spec
from web.api.subscriber_schemas import (
    Accepted,
    EnrollmentOut,
    SubscribeIn,
    SubscriberOut,
    SubscriberPage,
    SubscriberPatch,
    SubscriberQuery,
)
from web.database import get_session, get_settings
from web.limits import address_allowed
from web.public import clinic_context
from web.queueing import enqueue_soon

bp = Blueprint("subscribers", __name__)
ACCEPTED = "If this address can receive our emails, a confirmation link is on its way to it."


def subscriber_out(subscriber: Subscriber) -> SubscriberOut:
    """Describe a subscriber with their places in sequences."""
    places = [
        EnrollmentOut(
            sequence_id=e.sequence_id, status=e.status, next_send_at=e.next_send_at, exit_reason=e.exit_reason
        )
        for e in enrollments_of(get_session(), subscriber.id)
    ]
    fields = (
        "id",
        "email",
        "first_name",
        "timezone",
        "status",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    )
    return SubscriberOut(
        **{f: getattr(subscriber, f) for f in fields}, updated_at=subscriber.updated_at, sequences=places
    )


def find_subscriber(subscriber_id: int) -> Subscriber:
    """Return the subscriber or answer 404."""
    subscriber = get_session().get(Subscriber, subscriber_id)
    if subscriber is None:
        raise ProblemError(404, "Not found", f"There is no subscriber {subscriber_id}.")
    return subscriber


@bp.post("/subscribers")
@token_required("subscribe")
@spec.validate(json=SubscribeIn, resp=answers(HTTP_202=Accepted), tags=["subscribers"])
def subscribe(json: SubscribeIn):
    """Sign a person up as the form does: a consent record, then a confirmation email (double opt-in)."""
    if json.consent_version and json.consent_version != CONSENT_VERSION and not json.consent_text.strip():
        raise ProblemError(
            400, "Consent wording is needed", "See 'errors'.", {"consent_text": "give the words shown"}
        )
    if not address_allowed(json.email):
        raise ProblemError(
            429, "Too many signups", "Too many signups for this address; try again in an hour."
        )
    db = get_session()
    signup = Signup(
        email=json.email,
        first_name=json.first_name or None,
        timezone=json.timezone or None,
        channel="api",
        page=json.source or None,
        ip_address=request.remote_addr,
        user_agent=(request.headers.get("User-Agent") or "")[:500] or None,
        consent_text=json.consent_text.strip() or clinic_context()["consent_text"],
        consent_version=json.consent_version or CONSENT_VERSION,
    )
    # The form's own path: the same insert and job for every address, so timing tells nothing.
    attempt = record_attempt(db, signup, datetime.now(UTC))
    db.commit()
    enqueue_soon("workers.jobs.process_signup", attempt.id)
    return Accepted(message=ACCEPTED), 202


@bp.get("/subscribers")
@token_required("read")
@spec.validate(query=SubscriberQuery, resp=answers(HTTP_200=SubscriberPage), tags=["subscribers"])
def list_subscribers(query: SubscriberQuery):
    """List subscribers oldest first, a page at a time; keep the last next_cursor to follow new ones."""
    after = read_cursor("subscribers", query.cursor, {"after": 0})["after"]
    since = query.updated_since
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)  # a time without a zone is read as UTC
    where = SubscriberFilter(query.status, query.sequence, since)
    rows = subscriber_page(get_session(), after, query.limit + 1, where)
    page = rows[: query.limit]
    last = page[-1].id if page else after
    return SubscriberPage(
        subscribers=[subscriber_out(s) for s in page],
        next_cursor=make_cursor("subscribers", {"after": last}),
        has_more=len(rows) > query.limit,
    )


@bp.get("/subscribers/<int:subscriber_id>")
@token_required("read")
@spec.validate(resp=answers(HTTP_200=SubscriberOut), tags=["subscribers"])
def get_subscriber(subscriber_id: int):
    """Show one subscriber and their places in sequences."""
    return subscriber_out(find_subscriber(subscriber_id))


@bp.patch("/subscribers/<int:subscriber_id>")
@token_required("write")
@spec.validate(json=SubscriberPatch, resp=answers(HTTP_200=SubscriberOut), tags=["subscribers"])
def patch_subscriber(subscriber_id: int, json: SubscriberPatch):
    """Correct a subscriber's first name or time zone (an empty string clears it)."""
    subscriber, db = find_subscriber(subscriber_id), get_session()
    if "first_name" in json.model_fields_set:
        subscriber.first_name = json.first_name or None
    if "timezone" in json.model_fields_set:
        subscriber.timezone = json.timezone or None
    db.commit()
    return subscriber_out(subscriber)


@bp.post("/subscribers/<int:subscriber_id>/unsubscribe")
@token_required("write")
@spec.validate(resp=answers(HTTP_200=SubscriberOut), tags=["subscribers"])
def unsubscribe(subscriber_id: int):
    """Unsubscribe a person from everything at once, as their unsubscribe link would."""
    subscriber, db = find_subscriber(subscriber_id), get_session()
    leave(db, subscriber, None, datetime.now(UTC))
    db.commit()
    return subscriber_out(subscriber)


@bp.delete("/subscribers/<int:subscriber_id>")
@token_required("write")
@spec.validate(resp=answers(HTTP_204=None), tags=["subscribers"])
def erase(subscriber_id: int):
    """Erase a person on request: address, name and consent evidence go; anonymous counts stay."""
    subscriber, db = find_subscriber(subscriber_id), get_session()
    erase_person(db, get_settings().secret_key, subscriber.email, None, datetime.now(UTC))
    db.commit()
    return "", 204
