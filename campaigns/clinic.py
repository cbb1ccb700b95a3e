"""The clinic's own details: stored once, read by pages and by every email's footer."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from urllib.parse import parse_qsl

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.composing import Sender
from campaigns.models import ClinicProfile
from campaigns.settings import Settings

DEFAULT_PRIVACY_NOTICE = (
    "We collect your email address, and your first name if you give it, only to send the educational "
    "emails you asked for and, if you request one, to arrange a consultation. We record when and how "
    "you agreed, as the law requires. We never sell or share your details with advertisers.\n\n"
    "Every email has a link to unsubscribe at once. To see or erase what we hold about you, write to "
    "us at the address below."
)


def get_profile(session: Session) -> ClinicProfile | None:
    """Return the clinic's profile, or None before `seed` has run."""
    return session.scalar(select(ClinicProfile).order_by(ClinicProfile.id).limit(1))


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
    return Address(display_name=name, username=local, domain=domain)


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
    )


def embed_origins(session: Session, settings: Settings) -> tuple[str, ...]:
    """Return the sites whose embedded form may post: the stored settings', else the environment's."""
    profile = get_profile(session)
    stored = profile.embed_allowed_origins if profile else None
    return tuple(stored) if stored is not None else settings.embed_allowed_origins
