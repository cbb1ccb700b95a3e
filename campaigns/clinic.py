"""The clinic's own details: stored once, read by pages and by every email's footer."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from urllib.parse import parse_qsl

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from campaigns.addresses import ascii_sender
from campaigns.composing import CLINIC_OFFERS, CONSULTATION_COST, CONSULTATION_HOST, Sender
from campaigns.models import ClinicProfile
from campaigns.settings import Settings

DEFAULT_PRIVACY_NOTICE = """\
We keep what we need to send the educational emails you asked for and, if you ask for one, to \
arrange a consultation. We never sell or share your details with advertisers, and our signup \
pages load no advertising trackers.

What we store: your email address; your first name, if you give it; your time zone, taken from \
your browser when you sign up, so that emails arrive at a sensible hour; and a record of your \
consent: when you agreed, the words you agreed to, the page you signed up on, your IP address \
and your browser's description of itself. For each email we send you we record whether it was \
delivered, whether you opened it (through a small image in the email, a "pixel") and which of \
its links you clicked (links pass through our server first), unless we have turned that \
tracking off. If you ask for a consultation we \
also store the name, email address, phone number (if you give one), preferred contact time and \
message you type into that form.

Who else handles it: our email sending service (SendGrid, or the SMTP relay we use) processes \
your address and the emails on our behalf, only to deliver them.

How long we keep it: your name, time zone and the record of which emails you opened and \
clicked, for as long as you stay subscribed and afterwards until you ask us to erase them; your \
consent record for as long as we hold your address, to show that we had your permission; a \
consultation request until you ask us to erase it. After you unsubscribe, or after we erase \
everything else, we keep your email address on a do-not-email list, so that we never email you \
again.

Your choices: every email has a link to unsubscribe or pause. To get a copy of what we hold \
about you, or to have it erased, write to us at the contact below, and we will answer within \
30 days."""


PROFILE_KEY = "clinic_profile"


def get_profile(session: Session) -> ClinicProfile | None:
    """Return the clinic's profile, or None before `seed` has run; read once per transaction.

    A signup asks for it four times (consent wording, sender, allowed origins, CORS headers).
    """
    if PROFILE_KEY not in session.info:
        session.info[PROFILE_KEY] = session.scalar(select(ClinicProfile).order_by(ClinicProfile.id).limit(1))
    profile: ClinicProfile | None = session.info[PROFILE_KEY]
    return profile


@event.listens_for(Session, "after_transaction_end")
def _forget_profile(session: Session, transaction: SessionTransaction) -> None:
    """Read the profile afresh in the next transaction: another process may have changed it."""
    if transaction.parent is None:
        session.info.pop(PROFILE_KEY, None)


def ensure_profile(session: Session, settings: Settings, now: datetime) -> ClinicProfile:
    """Return the clinic's profile, creating it from the settings the first time."""
    profile = get_profile(session)
    if profile is None:
        profile = ClinicProfile(
            name=settings.from_name,
            postal_address=settings.postal_address,
            timezone=settings.clinic_timezone,
            privacy_notice=DEFAULT_PRIVACY_NOTICE,
            notification_email=settings.notify_email,
            brand_color="#1f5f8b",
            updated_at=now,
            from_name=settings.from_name,
            from_email=settings.from_email,
            embed_allowed_origins=list(settings.embed_allowed_origins),
            utm_params="&".join(f"{key}={value}" for key, value in settings.utm_params),
            track_engagement=True,
        )
        session.add(profile)
        session.flush()
        session.info[PROFILE_KEY] = profile
    return profile


def clinic_zone(session: Session, settings: Settings) -> str:
    """Return the clinic's time zone: the stored profile's, else the setting."""
    profile = get_profile(session)
    return profile.timezone if profile else settings.clinic_timezone


def notify_address(session: Session, settings: Settings) -> str:
    """Return where the clinic wants consultation requests: the stored profile's, else the setting."""
    profile = get_profile(session)
    return (profile.notification_email if profile else None) or settings.notify_email


def _address(name: str, email: str) -> Address:
    local, _, domain = email.partition("@")
    return ascii_sender(Address(display_name=name, username=local, domain=domain))  # punycode domain


def sender_for(session: Session, settings: Settings) -> Sender:
    """Return who emails come from: the admin's stored settings, else the environment's."""
    profile = get_profile(session)
    if profile is None:
        return Sender(
            secret_key=settings.secret_key,
            public_base_url=settings.public_base_url,
            address=_address(settings.from_name, settings.from_email),
            clinic_name=settings.from_name,
            postal_address=settings.postal_address,
            brand_color="#1f5f8b",
            fallback_zone=settings.clinic_timezone,
            utm_params=settings.utm_params,
            clinic_offers=settings.clinic_offers or CLINIC_OFFERS,
            consultation_cost=settings.consultation_cost or CONSULTATION_COST,
            consultation_host=settings.consultation_host or CONSULTATION_HOST,
        )
    return Sender(
        secret_key=settings.secret_key,
        public_base_url=settings.public_base_url,
        address=_address(profile.from_name or settings.from_name, profile.from_email or settings.from_email),
        clinic_name=profile.name,
        postal_address=profile.postal_address,
        brand_color=profile.brand_color,
        fallback_zone=profile.timezone,
        website_url=profile.website_url,
        utm_params=tuple(parse_qsl(profile.utm_params)) if profile.utm_params else settings.utm_params,
        reply_to=_address(profile.from_name or settings.from_name, profile.reply_to)
        if profile.reply_to
        else None,
        track_engagement=profile.track_engagement,
        clinic_offers=profile.clinic_offers or settings.clinic_offers or CLINIC_OFFERS,
        consultation_cost=profile.consultation_cost or settings.consultation_cost or CONSULTATION_COST,
        consultation_host=profile.consultation_host or settings.consultation_host or CONSULTATION_HOST,
    )


def embed_origins(session: Session, settings: Settings) -> tuple[str, ...]:
    """Return the sites whose embedded form may post: the stored settings', else the environment's."""
    profile = get_profile(session)
    stored = profile.embed_allowed_origins if profile else None
    return tuple(stored) if stored is not None else settings.embed_allowed_origins
