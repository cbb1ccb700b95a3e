"""The clinic's settings as the admin edits them: each field checked on its own, changes listed.

The environment fills them in at the first `seed` only; from then on the database holds them,
so a change in the admin reaches the next email without a restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from campaigns import settings_checks as checks
from campaigns.models import ClinicProfile
from campaigns.settings import Settings, is_sample_address

EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net", "clinic.example")


@dataclass(frozen=True)
class ClinicSettings:
    """Every setting of the admin's settings page, as stored."""

    name: str
    postal_address: str
    from_name: str
    from_email: str
    reply_to: str
    notification_email: str
    timezone: str
    website_url: str
    embed_allowed_origins: tuple[str, ...]
    utm_params: str
    privacy_contact: str
    track_engagement: bool
    clinic_offers: str = ""
    consultation_cost: str = ""
    consultation_host: str = ""


LABELS = {
    "name": "Clinic name",
    "postal_address": "Postal address",
    "from_name": "Sender name",
    "from_email": "Sender address",
    "reply_to": "Reply-to address",
    "notification_email": "Notification address",
    "timezone": "Time zone",
    "website_url": "Clinic website",
    "embed_allowed_origins": "Sites allowed to embed the form",
    "utm_params": "UTM parameters",
    "privacy_contact": "Privacy contact details",
    "track_engagement": "Track opens and clicks",
    "clinic_offers": "What the clinic sells",
    "consultation_cost": "What a consultation costs",
    "consultation_host": "Who runs a consultation",
}
DISCLOSURES = ("clinic_offers", "consultation_cost", "consultation_host")


def current(profile: ClinicProfile, settings: Settings) -> ClinicSettings:
    """Return the stored settings, with the environment's values where a field was never stored."""
    return ClinicSettings(
        name=profile.name,
        postal_address=profile.postal_address,
        from_name=profile.from_name or settings.from_name,
        from_email=profile.from_email or settings.from_email,
        reply_to=profile.reply_to or "",
        notification_email=profile.notification_email or settings.notify_email,
        timezone=profile.timezone,
        website_url=profile.website_url or "",
        embed_allowed_origins=tuple(profile.embed_allowed_origins or settings.embed_allowed_origins),
        utm_params=profile.utm_params or "&".join(f"{k}={v}" for k, v in settings.utm_params),
        privacy_contact=profile.privacy_contact or "",
        track_engagement=profile.track_engagement,
        **{key: getattr(profile, key) or getattr(settings, key) for key in DISCLOSURES},
    )


def _one_line(value: str, low: int, high: int, label: str, errors: dict[str, str], key: str) -> str:
    value = value.strip()
    if any(c in value for c in "\r\n\t") or not low <= len(value) <= high:
        errors[key] = f"{label} must be one line of {low} to {high} characters."
    return value


def _email(value: str, key: str, errors: dict[str, str], optional: bool = False) -> str:
    value = value.strip()
    if optional and not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        errors[key] = f"{LABELS[key]} must be one email address, such as care@yourclinic.com."
        return value[:320]


def parse(form: Mapping[str, str]) -> tuple[ClinicSettings, dict[str, str]]:
    """Read the settings form; return the values and a message for each field that is wrong."""
    errors: dict[str, str] = {}
    text = {name: str(form.get(name, ""))[:2000] for name in LABELS}
    address = _one_line(text["postal_address"], 10, 300, "The postal address", errors, "postal_address")
    if "postal_address" not in errors and is_sample_address(address):
        errors["postal_address"] = "Replace the sample address with the clinic's real postal address."
    problems: list[str] = []
    origins = checks.origins(text["embed_allowed_origins"].replace("\n", ","), problems)
    if problems:
        errors["embed_allowed_origins"] = "Give whole origins, one a line, such as https://yourclinic.com."
    problems = []
    utm = checks.utm_params(text["utm_params"].strip(), problems)
    if problems:
        errors["utm_params"] = "Write them as utm_source=nurture&utm_medium=email (utm_ names only)."
    website = text["website_url"].strip()
    if website and (urlsplit(website).scheme not in ("http", "https") or not urlsplit(website).hostname):
        errors["website_url"] = "Give the clinic's website as a full address, such as https://yourclinic.com."
    zone = text["timezone"].strip()
    if not checks.is_timezone(zone) or "/" not in zone:
        errors["timezone"] = "Choose a time zone such as America/New_York or Europe/London."
    contact = text["privacy_contact"].replace("\r\n", "\n").strip()
    if len(contact) > 1000:
        errors["privacy_contact"] = "Keep the privacy contact details under 1,000 characters."
    values = ClinicSettings(
        name=_one_line(text["name"], 2, 120, "The clinic's name", errors, "name"),
        postal_address=address,
        from_name=_one_line(text["from_name"], 2, 120, "The sender name", errors, "from_name"),
        from_email=_email(text["from_email"], "from_email", errors),
        reply_to=_email(text["reply_to"], "reply_to", errors, optional=True),
        notification_email=_email(text["notification_email"], "notification_email", errors),
        timezone=zone,
        website_url=website.rstrip("/"),
        embed_allowed_origins=origins,
        utm_params="&".join(f"{k}={v}" for k, v in utm),
        privacy_contact=contact,
        track_engagement=form.get("track_engagement") == "on",
        **{key: _one_line(text[key], 0, 300, LABELS[key], errors, key) for key in DISCLOSURES},
    )
    return values, errors


def apply(profile: ClinicProfile, values: ClinicSettings, now: datetime) -> dict[str, list[Any]]:
    """Store the settings; return each changed field's [old, new] value."""
    before = _stored(profile)
    profile.name, profile.postal_address = values.name, values.postal_address
    profile.from_name, profile.from_email = values.from_name, values.from_email
    profile.reply_to = values.reply_to or None
    profile.notification_email = values.notification_email
    profile.timezone, profile.website_url = values.timezone, values.website_url or None
    profile.embed_allowed_origins = list(values.embed_allowed_origins)
    profile.utm_params, profile.privacy_contact = values.utm_params, values.privacy_contact or None
    profile.track_engagement = values.track_engagement
    for key in DISCLOSURES:
        setattr(profile, key, getattr(values, key) or None)
    after = _stored(profile)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        profile.updated_at = now
    return changes


def _stored(profile: ClinicProfile) -> dict[str, Any]:
    return {f.name: _plain(getattr(profile, f.name)) for f in fields(ClinicSettings)}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


def placeholders(values: ClinicSettings) -> list[str]:
    """Name each setting that still holds a sample or example value, for the admin to replace."""
    found = []
    if is_sample_address(values.postal_address):
        found.append("postal address (still the sample address)")
    for key in ("from_email", "notification_email", "reply_to"):
        domain = getattr(values, key).rpartition("@")[2].lower()
        if domain in EXAMPLE_DOMAINS:
            found.append(f"{LABELS[key].lower()} ({getattr(values, key)} is an example address)")
    for key in DISCLOSURES:
        if not getattr(values, key):
            found.append(f"{LABELS[key].lower()} (empty: emails and pages show a placeholder)")
    if not values.privacy_contact:
        found.append("privacy contact details (empty: say who answers questions about people's data)")
    return found


def unfinished(profile: ClinicProfile | None, settings: Settings) -> list[str]:
    """Name each stored setting that still holds a placeholder (none before the first `seed`)."""
    return placeholders(current(profile, settings)) if profile is not None else []
