"""Double opt-in: the confirmation email, its signed link, and what confirming does."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.alerts import raise_outage, sending_paused
from campaigns.composing import Sender
from campaigns.errors import ProviderOutage
from campaigns.models import ConsentRecord, Suppression
from campaigns.notices import notice
from campaigns.outgoing import SendOutcome
from campaigns.people.hashing import forget_erasure
from campaigns.providers import Provider
from campaigns.sequences.joining import join_on_confirming
from campaigns.signup import FORM_CHANNELS, blocking_suppression
from campaigns.statuses import SubscriberStatus, SuppressionReason
from campaigns.tokens import Keys, sign, unsign_ids
from campaigns.webhooks.events import emit

LINK_MAX_AGE = timedelta(days=7)
"""How long a confirmation link works."""

RESEND_INTERVAL = timedelta(minutes=10)
"""At most one confirmation email per address in this long."""

OWED_WINDOW = timedelta(hours=1)
"""How long a confirmation that could not be queued is still sent by the planner's sweep."""

SWEEP_GRACE = timedelta(minutes=1)
"""How long the sweep leaves a fresh signup to the job the web queued for it."""

PACED_WINDOW = timedelta(days=7)
"""How long a paced confirmation (an import's) is still sent after its due time."""

PACED_PER_SWEEP = 200
"""At most this many paced confirmations are handed on by one sweep of the planner."""

AWAITING = (SubscriberStatus.PENDING, SubscriberStatus.UNSUBSCRIBED)


class ConfirmOutcome(StrEnum):
    """What pressing the confirm button did."""

    CONFIRMED = "confirmed"
    ALREADY = "already"  # confirmed before: the link was used twice
    UNAVAILABLE = "unavailable"  # the address may not be mailed (bounced, complained, erased)
    STALE = "stale"  # the link was sent before the person left: coming back takes a new signup


def confirm_url(sender: Sender, record: ConsentRecord, now: datetime) -> str:
    """Return the signed link that confirms `record`."""
    token = sign(sender.secret_key, "confirm", [record.subscriber_id, record.id], now)
    return f"{sender.public_base_url}/confirm/{token}"


def read_token(secret_key: Keys, token: str, now: datetime) -> tuple[int, int]:
    """Return (subscriber id, consent id) from a confirmation token, or raise InvalidToken."""
    subscriber_id, consent_id = unsign_ids(secret_key, "confirm", token, 2, LINK_MAX_AGE, now)
    return subscriber_id, consent_id


def is_stale(session: Session, record: ConsentRecord, issued: datetime) -> bool:
    """Tell whether a link for `record` was made before something it must not undo.

    A link confirms its own signup once. It cannot undo a later unsubscribe or suppression, and
    a link not made for this record's email (say, one for rows an erasure freed for someone else)
    is not this record's link.
    """
    subscriber, sent = record.subscriber, record.confirmation_sent_at
    # The link is signed with the moment its email was claimed; any other stamp is not its link.
    if record.confirmed_at is not None or sent is None or int(sent.timestamp()) != int(issued.timestamp()):
        return True
    if subscriber.unsubscribed_at is not None and subscriber.unsubscribed_at >= record.created_at:
        return True
    later = select(Suppression.id).where(
        Suppression.email == subscriber.email, Suppression.created_at >= record.created_at
    )
    return session.scalar(later.limit(1)) is not None


def is_owed(session: Session, record: ConsentRecord) -> bool:
    """Tell whether `record` still needs its confirmation email.

    A record made within RESEND_INTERVAL after an email went to the same person is covered by
    that email, so nobody gets more than one confirmation email in RESEND_INTERVAL.
    """
    if record.confirmation_sent_at or record.confirmed_at or record.subscriber.status not in AWAITING:
        return False
    covered = select(ConsentRecord.id).where(
        ConsentRecord.subscriber_id == record.subscriber_id,
        ConsentRecord.confirmation_sent_at >= record.created_at - RESEND_INTERVAL,
    )
    return session.scalar(covered.limit(1)) is None


def owed_confirmations(session: Session, now: datetime) -> list[int]:
    """Return the ids of consent records whose confirmation email is owed now: recent signups, and
    paced ones (an import's) whose due time has come."""
    recent = session.scalars(
        select(ConsentRecord)
        .where(
            ConsentRecord.created_at >= now - OWED_WINDOW,
            ConsentRecord.created_at <= now - SWEEP_GRACE,
            ConsentRecord.confirmation_sent_at.is_(None),
            ConsentRecord.confirmation_due_at.is_(None),
        )
        .order_by(ConsentRecord.id)
    )
    paced = session.scalars(
        select(ConsentRecord)
        .where(
            ConsentRecord.confirmation_due_at <= now,
            ConsentRecord.confirmation_due_at >= now - PACED_WINDOW,
            ConsentRecord.confirmation_sent_at.is_(None),
        )
        .order_by(ConsentRecord.confirmation_due_at, ConsentRecord.id)
        .limit(PACED_PER_SWEEP)
    )
    return [record.id for record in [*recent.all(), *paced.all()] if is_owed(session, record)]


def send_confirmation(
    session: Session, consent_id: int, sender: Sender, provider: Provider, now: datetime
) -> bool:
    """Send the confirmation email for a consent record if it is owed; tell whether it went."""
    record = session.get(ConsentRecord, consent_id)
    if record is None or not is_owed(session, record) or blocking_suppression(session, record.email):
        return False
    if record.confirmation_due_at is not None and record.confirmation_due_at > now:
        return False  # paced: the planner's sweep sends it when its time comes
    if sending_paused(session):
        return False  # the planner's sweep sends it once the outage is resolved
    # Claimed first, atomically: of two jobs for one record only one proceeds, and a worker
    # that dies mid-call leaves it marked sent rather than lead to a second email.
    claim = session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.id == consent_id, ConsentRecord.confirmation_sent_at.is_(None))
        .values(confirmation_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if claim.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(record)
    context = {"clinic_name": sender.clinic_name, "confirm_url": confirm_url(sender, record, now)}
    typed = {"first_name": record.first_name or record.subscriber.first_name or ""}
    email = notice("confirmation", record.email, context, sender, now, record.id, typed=typed)
    try:
        [outcome] = provider.send_many([email])
    except ProviderOutage as outage:
        raise_outage(session, str(outage), now)
        outcome = SendOutcome.retry(str(outage))
    if outcome.status == "retry":
        record.confirmation_sent_at = None  # nothing went out: the planner's sweep tries again
        session.commit()
        return False
    return outcome.status == "sent"


def confirm(
    session: Session,
    subscriber_id: int,
    consent_id: int,
    fallback_zone: str,
    now: datetime,
    issued: datetime | None = None,
    erasure_key: Keys | None = None,
) -> ConfirmOutcome:
    """Confirm a subscription: activate the subscriber and enroll them in the sequences they chose.

    `issued` is when the link was made (its token's stamp); without it the link counts as new.
    A confirmed form signup with new consent also clears the address's erased hash, if any.
    """
    record = session.get(ConsentRecord, consent_id)
    if record is None or record.subscriber_id != subscriber_id:
        return ConfirmOutcome.UNAVAILABLE
    subscriber = record.subscriber
    if subscriber.status == SubscriberStatus.ACTIVE:
        return ConfirmOutcome.ALREADY
    if subscriber.status not in AWAITING or blocking_suppression(session, subscriber.email):
        return ConfirmOutcome.UNAVAILABLE
    if is_stale(session, record, issued or now):
        return ConfirmOutcome.STALE
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.confirmed_at, subscriber.unsubscribed_at = now, None
    subscriber.first_name = record.first_name or subscriber.first_name
    subscriber.timezone = record.timezone or subscriber.timezone
    record.confirmed_at = now
    for left in session.scalars(
        select(Suppression).where(
            Suppression.email == subscriber.email, Suppression.reason == SuppressionReason.UNSUBSCRIBED
        )
    ):
        session.delete(left)  # they chose to come back
    if erasure_key is not None and record.source in FORM_CHANNELS:
        forget_erasure(session, erasure_key, subscriber.email)
    join_on_confirming(session, subscriber, record, ZoneInfo(subscriber.timezone or fallback_zone), now)
    emit(session, "subscriber.confirmed", {"subscriber_id": subscriber.id, "email": subscriber.email}, now)
    return ConfirmOutcome.CONFIRMED


def request_new_link(
    session: Session, consent_id: int, ip_address: str | None, user_agent: str | None, now: datetime
) -> ConsentRecord | None:
    """Record a request for a fresh confirmation link after one expired; None if none is due."""
    original = session.get(ConsentRecord, consent_id)
    if original is None or original.subscriber.status not in AWAITING:
        return None
    record = ConsentRecord(
        subscriber=original.subscriber,
        email=original.email,
        created_at=now,
        ip_address=ip_address,
        user_agent=user_agent,
        source=original.source,
        page=original.page,
        consent_text=original.consent_text,
        consent_version=original.consent_version,
        sequence_id=original.sequence_id,
    )
    session.add(record)
    session.flush()
    return record
