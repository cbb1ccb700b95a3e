"""Checks of single setting values; each appends a message naming its variable to `problems`."""

from __future__ import annotations

import base64
import zoneinfo
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from limits import parse_many
from sendgrid.helpers.eventwebhook import EventWebhook

DEFAULT_PORT = 5000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def port(env: Mapping[str, str], problems: list[str]) -> int:
    raw = env.get("PORT") or str(DEFAULT_PORT)
    if raw.isdigit() and 0 < int(raw) < 65536:
        return int(raw)
    problems.append("PORT must be a whole number from 1 to 65535")
    return DEFAULT_PORT


def origins(raw: str, problems: list[str]) -> tuple[str, ...]:
    """Parse a comma-separated list of origins such as https://clinic.example."""
    origins = []
    for origin in filter(None, (part.strip().rstrip("/") for part in raw.split(","))):
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
            problems.append(f"EMBED_ALLOWED_ORIGINS has {origin!r}; give origins like https://clinic.example")
        origins.append(origin)
    return tuple(origins)


def flag(env: Mapping[str, str], name: str, problems: list[str]) -> bool:
    """Read a true/false setting."""
    raw = (env.get(name) or "false").lower()
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        problems.append(f"{name} must be true or false")
    return raw in ("true", "1", "yes")


def is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


def check_public_base_url(url: str, local: bool, problems: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append("PUBLIC_BASE_URL must be a URL such as https://news.clinic.example")
    elif not local and parts.scheme != "https":
        # Unsubscribe and confirmation links travel in email; they must not be plain http.
        problems.append("PUBLIC_BASE_URL must use https when it points beyond this machine")


def check_database_url(url: str, problems: list[str]) -> str:
    if not url:
        return url
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql"):
        return "postgresql+psycopg" + url[len(scheme) :]
    if scheme in ("postgresql+psycopg", "sqlite"):
        return url
    problems.append("DATABASE_URL must start with postgresql:// or sqlite:///")
    return url


def check_redis_url(url: str | None, problems: list[str]) -> None:
    if url and urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        problems.append("REDIS_URL must start with redis://, rediss:// or unix://")


def check_smtp_url(url: str | None, backend: str, problems: list[str]) -> None:
    if backend == "smtp" and not url:
        problems.append("SMTP_URL is required with EMAIL_BACKEND=smtp")
    elif url and (urlsplit(url).scheme not in ("smtp", "smtps") or not urlsplit(url).hostname):
        problems.append("SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")


def check_webhook_key(key: str | None, problems: list[str]) -> None:
    if not key:
        return
    try:
        base64.b64decode(key, validate=True)
        EventWebhook(key)
    except ValueError:
        problems.append("SENDGRID_WEBHOOK_PUBLIC_KEY must be the base64 key shown by SendGrid")


def is_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def utm_params(raw: str, problems: list[str]) -> tuple[tuple[str, str], ...]:
    """Parse the utm parameters added to links to the clinic's own site."""
    try:
        pairs = parse_qsl(raw, keep_blank_values=False, strict_parsing=True)
    except ValueError:
        pairs = []
    if not pairs or any(not key.startswith("utm_") or not value for key, value in pairs):
        problems.append("UTM_PARAMS must look like utm_source=nurture&utm_medium=email (utm_ names only)")
    return tuple(pairs)


def is_rate_limit(text: str) -> bool:
    """Tell whether `text` is a rate limit in Flask-Limiter's notation, such as '600 per minute'."""
    try:
        return bool(parse_many(text))
    except ValueError:
        return False
