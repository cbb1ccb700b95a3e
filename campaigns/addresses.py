"""Check and normalize what a visitor types: an email address, a first name, a time zone."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from email.headerregistry import Address
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from campaigns.errors import ValidationError

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path, less the brackets
MAX_NAME_LENGTH = 100
MAX_TIMEZONE_LENGTH = 64
# Line and paragraph separators end a header line in some mail software, like CR and LF do.
FORBIDDEN_CATEGORIES = {"Cc", "Zl", "Zp", "Cs", "Co", "Cn"}
# Bidirectional overrides and isolates can make a name read backwards ("Ada\u202egnp.exe"), and
# zero-width characters hide inside one; neither belongs in a name printed in an email.
INVISIBLE_IN_NAMES = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
NON_ASCII_MAILBOX = (
    "We cannot send email to an address with accents or other non-English letters before the @ yet. "
    "Please use another address."
)


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
    if not local.isascii():  # it would need SMTPUTF8 all the way, which our providers cannot promise
        raise ValidationError(NON_ASCII_MAILBOX)
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
    name = " ".join(unicodedata.normalize("NFC", INVISIBLE_IN_NAMES.sub("", raw)).split())
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


@lru_cache(maxsize=4096)
def ascii_email(email: str) -> str:
    """Return the address as it goes into headers and SMTP commands: its domain in punycode.

    An address stored before non-ASCII mailboxes were refused is returned as it is.
    """
    if email.isascii():
        return email
    local, _, domain = email.rpartition("@")
    try:
        result = validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return email
    return f"{local}@{result.ascii_domain}"


def ascii_sender(sender: Address) -> Address:
    """Return the sender with its domain in punycode, keeping the display name."""
    if sender.domain.isascii():
        return sender
    local, _, domain = ascii_email(sender.addr_spec).rpartition("@")
    return Address(sender.display_name, local, domain)
