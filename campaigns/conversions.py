"""Booked consultations: record the conversion, end the sequences, tell the person and the clinic."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.addresses import ascii_email
from campaigns.composing import Sender
from campaigns.exits import goal_reached
from campaigns.models import Conversion, Enrollment, Event, Send, Subscriber
from campaigns.notices import notice
from campaigns.providers import Provider
from campaigns.rollups import bump
from campaigns.webhooks.events import emit


@dataclass(frozen=True)
class Booking:
    """A request for a consultation, from the form or from a booking tool."""

    email: str
    source: str  # form | api
    name: str = ""
    phone: str = ""
    preferred_time: str = ""
    message: str = ""
    consent_text: str = ""
    subscriber_id: int | None = None  # known from the signed link in an email


def record_conversion(session: Session, booking: Booking, now: datetime) -> Conversion:
    """Record a booking, attributed to the last step its subscriber clicked, and end their sequences."""
    subscriber = session.get(Subscriber, booking.subscriber_id) if booking.subscriber_id else None
    if subscriber is None:
        subscriber = session.scalar(select(Subscriber).where(Subscriber.email == booking.email))
    clicked = _last_click(session, subscriber.id, now) if subscriber else None
    conversion = Conversion(
        subscriber_id=subscriber.id if subscriber else None,
        email=booking.email,
        sequence_id=clicked.enrollment.sequence_id if clicked else None,
        attributed_step_id=clicked.step_id if clicked else None,
        source=booking.source,
        occurred_at=now,
        details={
            k: v for k, v in booking.__dict__.items() if v and k not in ("email", "source", "subscriber_id")
        },
    )
    session.add(conversion)
    if clicked is not None and clicked.step_version_id is not None:
        bump(session, Counter({(clicked.step_version_id, now.date(), "converted"): 1}))
    if subscriber:
        goal_reached(session, subscriber, now)
    session.flush()
    data = {"conversion_id": conversion.id, "subscriber_id": conversion.subscriber_id, "email": booking.email}
    emit(session, "conversion.created", {**data, "sequence_id": conversion.sequence_id}, now)
    return conversion


def _last_click(session: Session, subscriber_id: int, now: datetime) -> Send | None:
    """Return the send whose link the subscriber clicked last before `now`."""
    return session.scalar(
        select(Send)
        .join(Event, Event.send_id == Send.id)
        .join(Enrollment, Enrollment.id == Send.enrollment_id)
        .where(Event.subscriber_id == subscriber_id, Event.kind == "click", Event.occurred_at <= now)
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(1)
    )


def send_conversion_emails(
    session: Session,
    conversion_id: int,
    sender: Sender,
    provider: Provider,
    notify: str | None,
    now: datetime,
) -> int:
    """Confirm the request to the person and notify the clinic, once; return how many emails went."""
    conversion = session.get(Conversion, conversion_id)
    if conversion is None or conversion.details.get("emails_sent_at"):
        return 0
    conversion.details = {**conversion.details, "emails_sent_at": now.isoformat()}
    session.commit()
    details = conversion.details
    # Everything the requester or the booking tool typed is text in the emails, never Markdown.
    typed = {key: str(details.get(key) or "") for key in ("name", "phone", "preferred_time", "message")}
    typed["email"] = conversion.email
    typed["first_name"] = first_name_of(typed["name"])
    context: dict[str, Any] = {**dict.fromkeys(typed, ""), "clinic_name": sender.clinic_name}
    context["source"] = conversion.source
    to_them = notice(
        "consultation_confirmation", conversion.email, context, sender, now, conversion.id, typed=typed
    )
    emails = [to_them]
    if notify:
        emails.append(
            notice(
                "consultation_notification",
                notify,
                context,
                sender,
                now,
                conversion.id,
                typed=typed,
                reply_to=Address(addr_spec=ascii_email(conversion.email)),
                for_clinic=True,
            )
        )
    outcomes = provider.send_many(emails)
    return sum(outcome.status == "sent" for outcome in outcomes)


def first_name_of(name: str) -> str:
    """Return the first word of a full name, the way a greeting uses it ("Ada Lovelace" -> "Ada")."""
    words = name.split()
    return words[0] if words else ""
