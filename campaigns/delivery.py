"""Deliver one send: check everything again, render, hand to the provider, move the subscriber on.

The provider call happens outside any transaction: the send is marked `sending` and committed
first, so a worker that dies mid-call leaves a row that says so, and nothing is blindly resent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from zoneinfo import ZoneInfo

from jinja2 import TemplateError
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.enrollment import advance, window_of
from campaigns.errors import ProviderError
from campaigns.messages import build_message
from campaigns.models import Send, Sequence, StepVersion, Subscriber, Suppression
from campaigns.providers import Provider
from campaigns.rendering import render_email
from campaigns.scheduling import next_allowed_moment
from campaigns.statuses import EnrollmentStatus, SendStatus, SequenceStatus, SubscriberStatus
from campaigns.tokens import sign

DISCLAIMER = (
    "This email is educational and is not medical advice. Stem cell therapies for fibromyalgia "
    "are not approved by the FDA. Talk with your own physician about your care."
)


@dataclass(frozen=True)
class Sender:
    """Who the emails come from and what every footer says."""

    secret_key: str
    public_base_url: str
    address: Address
    clinic_name: str
    postal_address: str
    brand_color: str
    fallback_zone: str

    def footer(self, unsubscribe_url: str | None) -> dict[str, str]:
        """Return what every email's footer shows."""
        return {
            "clinic_name": self.clinic_name,
            "postal_address": self.postal_address,
            "brand_color": self.brand_color,
            "disclaimer": DISCLAIMER,
            "unsubscribe_url": unsubscribe_url or "",
        }


def deliver_send(
    session: Session, send_id: int, sender: Sender, provider: Provider, now: datetime
) -> SendStatus | None:
    """Deliver send `send_id` if it is still queued and still wanted; return its final status."""
    send = session.get(Send, send_id)
    if send is None or send.status != SendStatus.QUEUED:
        return send.status if send else None  # already handled: RQ may run a job twice
    subscriber = session.get_one(Subscriber, send.subscriber_id)
    zone = ZoneInfo(subscriber.timezone or sender.fallback_zone)
    reason = _reason_to_skip(session, send, subscriber)
    if reason:
        send.status, send.error = SendStatus.SKIPPED, reason
        session.commit()
        return send.status
    opening = next_allowed_moment(now, window_of(send.step), zone)
    if opening > now:  # left in a queue past its window: give the step back to the planner
        send.enrollment.next_send_at = opening
        session.delete(send)
        session.commit()
        return None
    send.status, send.attempts = SendStatus.SENDING, send.attempts + 1
    session.commit()
    return _hand_over(session, send, subscriber, sender, provider, zone, now)


def _reason_to_skip(session: Session, send: Send, subscriber: Subscriber) -> str | None:
    if subscriber.status != SubscriberStatus.ACTIVE:
        return f"subscriber is {subscriber.status}"
    if session.scalar(select(Suppression.id).where(Suppression.email == subscriber.email)):
        return "address is suppressed"
    if send.enrollment.status != EnrollmentStatus.ACTIVE:
        return f"enrollment is {send.enrollment.status}"
    if session.get_one(Sequence, send.enrollment.sequence_id).status != SequenceStatus.ACTIVE:
        return "sequence is not active"
    if send.step_version_id is None:
        return "step has no published version"
    return None


def _hand_over(
    session: Session,
    send: Send,
    subscriber: Subscriber,
    sender: Sender,
    provider: Provider,
    zone: ZoneInfo,
    now: datetime,
) -> SendStatus:
    version = session.get_one(StepVersion, send.step_version_id)
    token = sign(sender.secret_key, "unsubscribe", [subscriber.id, send.id])
    unsubscribe_url = f"{sender.public_base_url}/unsubscribe/{token}"
    context = {
        "first_name": subscriber.first_name,
        "email": subscriber.email,
        "consultation_url": f"{sender.public_base_url}/consultation",
        "unsubscribe_url": unsubscribe_url,
    }
    try:
        footer = sender.footer(unsubscribe_url)
        rendered = render_email(version.subject, version.preheader, version.body, context, footer)
        message = build_message(rendered, subscriber.email, sender.address, unsubscribe_url, now)
        send.provider_message_id = provider.send(message, f"send-{send.id}")
    except (TemplateError, ProviderError) as exc:
        send.status, send.error = SendStatus.FAILED, str(exc)[:2000]
        session.commit()
        return send.status
    send.status, send.sent_at = SendStatus.SENT, now
    advance(session, send.enrollment, send.step, zone, now)
    session.commit()
    return send.status
