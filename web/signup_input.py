"""Read a signup from a form post or a JSON body, collecting a plain message for each bad field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from campaigns.addresses import clean_first_name, clean_timezone, has_forbidden_characters, normalize_email
from campaigns.consent import CONSENT_VERSION
from campaigns.errors import ValidationError
from campaigns.signup import Signup

MAX_PAGE_LENGTH = 500
MAX_USER_AGENT_LENGTH = 500
HONEYPOT_FIELD = "website"
JSON_FIELDS = {"email", "first_name", "consent", "timezone", "source", "sequence"}
CONSENT_MESSAGE = "Please tick the box to agree to receive the emails."


class InvalidSignup(ValidationError):
    """One or more fields of a signup are not acceptable; `fields` maps each to its message."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        super().__init__(" ".join(fields.values()))


@dataclass(frozen=True)
class Visit:
    """Where a signup came from: what the request itself says."""

    channel: str
    ip_address: str | None
    user_agent: str | None
    referrer: str | None
    consent_text: str


def is_honeypot_filled(data: Mapping[str, Any]) -> bool:
    """Tell whether the hidden field only robots fill in has a value."""
    return bool(data.get(HONEYPOT_FIELD))


def signup_from_form(form: Mapping[str, str], visit: Visit, check_deliverability: bool) -> Signup:
    """Read a signup from the HTML form; a bad time zone from the browser is ignored, not blamed."""
    errors: dict[str, str] = {}
    email = _field(errors, "email", lambda: normalize_email(form.get("email"), check_deliverability))
    first_name = _field(errors, "first_name", lambda: clean_first_name(form.get("first_name")))
    if form.get("consent") not in ("yes", "on", "true", "1"):
        errors["consent"] = CONSENT_MESSAGE
    timezone = _field({}, "timezone", lambda: clean_timezone(form.get("timezone")))
    page = _page(form.get("page")) or _page(visit.referrer)
    if errors:
        raise InvalidSignup(errors)
    return _signup(email, first_name, timezone, page, visit)


def signup_from_json(body: Any, visit: Visit, check_deliverability: bool) -> Signup:
    """Read a signup from a JSON object, naming every field that is wrong."""
    if not isinstance(body, dict):
        raise InvalidSignup({"body": "The body must be a JSON object."})
    errors: dict[str, str] = {}
    unknown = sorted(set(body) - JSON_FIELDS - {HONEYPOT_FIELD})
    if unknown:
        errors["body"] = f"Unknown fields: {', '.join(unknown)[:200]}."
    email = _field(errors, "email", lambda: normalize_email(body.get("email"), check_deliverability))
    first_name = _field(errors, "first_name", lambda: clean_first_name(body.get("first_name")))
    if body.get("consent") is not True:
        errors["consent"] = "consent must be true: the person agreed to receive the emails."
    timezone = _field(errors, "timezone", lambda: clean_timezone(body.get("timezone")))
    source = body.get("source")
    if source is not None and (not isinstance(source, str) or _page(source) != source.strip()):
        errors["source"] = f"source must be one line of text, at most {MAX_PAGE_LENGTH} characters."
    if errors:
        raise InvalidSignup(errors)
    return _signup(email, first_name, timezone, _page(source) or _page(visit.referrer), visit)


def _field(errors: dict[str, str], name: str, read: Callable[[], Any]) -> Any:
    try:
        return read()
    except ValidationError as exc:
        errors[name] = str(exc)
        return None


def _page(raw: object) -> str | None:
    """Return a page URL or label fit to store, or None."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_PAGE_LENGTH:
        return None
    return None if has_forbidden_characters(raw) else raw.strip()


def clean_user_agent(raw: str | None) -> str | None:
    """Return the User-Agent fit to store: one line, at most MAX_USER_AGENT_LENGTH characters."""
    if not raw or has_forbidden_characters(raw):
        return None
    return raw[:MAX_USER_AGENT_LENGTH]


def _signup(
    email: str, first_name: str | None, timezone: str | None, page: str | None, visit: Visit
) -> Signup:
    return Signup(
        email=email,
        first_name=first_name,
        timezone=timezone,
        channel=visit.channel,
        page=page,
        ip_address=visit.ip_address,
        user_agent=clean_user_agent(visit.user_agent),
        consent_text=visit.consent_text,
        consent_version=CONSENT_VERSION,
    )
