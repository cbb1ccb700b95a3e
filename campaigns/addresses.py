"""Check and normalize what a visitor types: an email address, a first name, a time zone."""

from __future__ import annotations

import unicodedata
import zoneinfo

from email_validator import EmailNotValidError, validate_email

from campaigns.errors import ValidationError

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path, less the brackets
MAX_NAME_LENGTH = 100
MAX_TIMEZONE_LENGTH = 64
# Line and paragraph separators end a header line in some mail software, like CR and LF do.
FORBIDDEN_CATEGORIES = {"Cc", "Zl", "Zp", "Cs", "Co", "Cn"}


def normalize_email(raw: object, check_deliverability: bool = False) -> str:
    """Return the address in its one stored form, or raise ValidationError saying what is wrong."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError("Please enter your email address.")
    if len(raw) > MAX_EMAIL_LENGTH:
        raise ValidationError(f"That email address is longer than {MAX_EMAIL_LENGTH} characters.")
    if has_forbidden_characters(raw):
        raise ValidationError("That email address contains characters that are not allowed.")
    try:
        result = validate_email(raw.strip(), check_deliverability=check_deliverability)
    except EmailNotValidError as exc:
        raise ValidationError(f"That email address is not valid: {exc}") from exc
    local, _, domain = result.normalized.rpartition("@")
    # Mailboxes are case-insensitive in practice; one person must not be two subscribers.
    return f"{local.lower()}@{domain.lower()}"


def clean_first_name(raw: object) -> str | None:
    """Return the first name trimmed and on one line, None if empty, or raise ValidationError."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValidationError("The first name must be text.")
    if has_forbidden_characters(raw):
        raise ValidationError("The first name must be on one line, without control characters.")
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"The first name is longer than {MAX_NAME_LENGTH} characters.")
    return name or None


def clean_timezone(raw: object) -> str | None:
    """Return an IANA zone name, None if empty, or raise ValidationError."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > MAX_TIMEZONE_LENGTH or not is_timezone(raw):
        raise ValidationError("The time zone must be an IANA name such as Europe/Paris.")
    return raw


def is_timezone(name: str) -> bool:
    """Tell whether `name` is a time zone this machine knows."""
    if has_forbidden_characters(name) or name.startswith("/") or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def has_forbidden_characters(text: str) -> bool:
    """Tell whether `text` holds control characters, CR/LF, separators or unassigned code points."""
    return any(unicodedata.category(c) in FORBIDDEN_CATEGORIES for c in text)


def masked(email: str) -> str:
    """Show an address without giving it away: d***@example.org."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"
