"""Settings, read once from the environment (and a `.env` file) and checked as a whole.

The engine runs in one of two modes. *Local* mode is the embedded default of `make run`:
`PUBLIC_BASE_URL` is unset or points at this machine, so nobody outside can follow its links,
and missing values fall back to safe local defaults (a SQLite file, an embedded Redis, the
outbox folder, a secret key generated once under `instance/`). *Public* mode is everything
else: the engine is reachable from the internet, so every value production needs must be
given and well formed, and a missing or malformed one stops start-up with a message naming it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from campaigns import settings_checks as checks
from campaigns.errors import SettingsError

EMAIL_BACKENDS = ("outbox", "sendgrid", "smtp")
SAMPLE_POSTAL_ADDRESS = "100 Sample Street, Springfield, ST 00000"
"""Local mode's stand-in for POSTAL_ADDRESS: neutral on public pages, never accepted for publishing."""
MIN_SECRET_KEY_LENGTH = 32
DISCLOSURES = ("clinic_offers", "consultation_cost", "consultation_host")
"""What the clinic sells and how its consultation works (CLINIC_OFFERS, ...), printed in its emails."""


@dataclass(frozen=True)
class Settings:
    """Every setting the engine reads, after validation."""

    database_url: str
    redis_url: str | None
    secret_key: str
    public_base_url: str
    port: int
    email_backend: str
    sendgrid_api_key: str | None
    sendgrid_api_host: str | None
    sendgrid_webhook_public_key: str | None
    smtp_url: str | None
    from_email: str
    from_name: str
    postal_address: str
    clinic_timezone: str
    outbox_dir: Path
    instance_dir: Path
    local_mode: bool
    notify_email: str = ""
    utm_params: tuple[tuple[str, str], ...] = (("utm_source", "nurture"), ("utm_medium", "email"))
    embed_allowed_origins: tuple[str, ...] = ()
    check_deliverability: bool = False
    trusted_proxy_count: int = 0
    api_rate_limit: str = "600 per minute"  # per API token, in Flask-Limiter's notation
    clinic_offers: str = ""
    consultation_cost: str = ""
    consultation_host: str = ""
    secret_key_fallbacks: tuple[str, ...] = ()

    @property
    def verifying_keys(self) -> tuple[str, ...]:
        """Return the keys a signed link or cookie may carry: the current one, then those being retired."""
        return (self.secret_key, *self.secret_key_fallbacks)

    @property
    def embedded_redis(self) -> bool:
        """Tell whether the engine starts its own Redis (no `REDIS_URL` given)."""
        return self.redis_url is None


RUNNING_FILE = "running.env"
"""What `make run` resolved (port, base URL, database, Redis), kept under `instance/` while it runs,
so that a command run from the same folder meanwhile talks to the same instance."""

RUNNING_KEYS = ("PORT", "PUBLIC_BASE_URL", "DATABASE_URL", "REDIS_URL")


def is_sample_address(address: str) -> bool:
    """Tell whether the clinic's address is still local mode's stand-in (or an older placeholder)."""
    return address.strip() == SAMPLE_POSTAL_ADDRESS or "set POSTAL_ADDRESS" in address


def read_environment(env_file: str | os.PathLike[str] = ".env") -> dict[str, str]:
    """Merge `.env`, the running `make run`'s values and the process environment; the environment wins."""
    merged = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    instance_dir = Path(os.environ.get("INSTANCE_DIR") or merged.get("INSTANCE_DIR") or "instance")
    running = running_instance(instance_dir)
    merged.update(running)
    # An empty variable does not say otherwise: it only blanks out `.env`.
    merged.update({k: v for k, v in os.environ.items() if v.strip() or k not in running})
    return merged


def running_instance(instance_dir: Path) -> dict[str, str]:
    """Return what a `make run` still running on this instance resolved, or nothing."""
    values = {k: v for k, v in dotenv_values(instance_dir / RUNNING_FILE).items() if v is not None}
    pid = values.pop("RUN_PID", "")
    if not pid.isdigit() or not _alive(int(pid)):
        return {}  # a launcher killed outright leaves its file behind
    return {k: v for k, v in values.items() if k in RUNNING_KEYS}


def write_running_instance(settings: Settings, redis_url: str, pid: int) -> Path:
    """Record what this `make run` resolved, for commands run beside it; return the file."""
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    path = settings.instance_dir / RUNNING_FILE
    lines = {
        "RUN_PID": str(pid),
        "PORT": str(settings.port),
        "PUBLIC_BASE_URL": settings.public_base_url,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis_url,
    }
    path.write_text("".join(f"{key}='{value}'\n" for key, value in lines.items()))
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    return True


def load_settings(environ: Mapping[str, str] | None = None, root: Path | None = None) -> Settings:
    """Build the settings from `environ`, raising SettingsError that names every bad variable."""
    env = {k: v.strip() for k, v in (read_environment() if environ is None else environ).items()}
    root = root or Path.cwd()
    instance_dir = Path(env.get("INSTANCE_DIR") or root / "instance")
    problems: list[str] = []

    port = checks.port(env, problems)
    public_base_url = env.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{port}"
    local = checks.is_local(public_base_url)
    checks.check_public_base_url(public_base_url, local, problems)

    def required(name: str, default: str | None = None) -> str:
        value = env.get(name)
        if value:
            return value
        if local and default is not None:
            return default
        problems.append(f"{name} is required when PUBLIC_BASE_URL points beyond this machine")
        return ""

    database_url = required("DATABASE_URL", f"sqlite:///{instance_dir / 'nurture.db'}")
    database_url = checks.check_database_url(database_url, problems)
    redis_url = env.get("REDIS_URL") or None
    if redis_url is None and not local:
        problems.append("REDIS_URL is required when PUBLIC_BASE_URL points beyond this machine")
    checks.check_redis_url(redis_url, problems)

    secret_key = env.get("SECRET_KEY") or ""
    if not secret_key and local:
        secret_key = _local_secret_key(instance_dir)
    elif len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters")
    fallbacks = tuple(
        key.strip() for key in (env.get("SECRET_KEY_FALLBACKS") or "").split(",") if key.strip()
    )
    if any(len(key) < MIN_SECRET_KEY_LENGTH for key in fallbacks):
        problems.append(f"each of SECRET_KEY_FALLBACKS must be at least {MIN_SECRET_KEY_LENGTH} characters")

    email_backend = (env.get("EMAIL_BACKEND") or ("outbox" if local else "")).lower()
    if email_backend not in EMAIL_BACKENDS:
        problems.append(f"EMAIL_BACKEND must be one of {', '.join(EMAIL_BACKENDS)}")
    sendgrid_key = env.get("SENDGRID_API_KEY") or None
    if email_backend == "sendgrid" and not sendgrid_key:
        problems.append("SENDGRID_API_KEY is required with EMAIL_BACKEND=sendgrid")
    sendgrid_host = env.get("SENDGRID_API_HOST") or None
    if sendgrid_host and urlsplit(sendgrid_host).scheme not in ("http", "https"):
        problems.append("SENDGRID_API_HOST must be an http(s) URL")
    webhook_key = env.get("SENDGRID_WEBHOOK_PUBLIC_KEY") or None
    checks.check_webhook_key(webhook_key, problems)
    smtp_url = env.get("SMTP_URL") or None
    checks.check_smtp_url(smtp_url, email_backend, problems)

    from_email = required("FROM_EMAIL", "hello@clinic.example")
    if from_email and ("@" not in from_email or any(c in from_email for c in " \r\n<>")):
        problems.append("FROM_EMAIL must be a plain email address such as hello@clinic.example")
    from_name = env.get("FROM_NAME") or "Regenerative Medicine Clinic"
    if any(c in from_name for c in "\r\n"):
        problems.append("FROM_NAME must be on one line")
    postal_address = required("POSTAL_ADDRESS", SAMPLE_POSTAL_ADDRESS)
    clinic_timezone = env.get("CLINIC_TIMEZONE") or "America/New_York"
    if not checks.is_timezone(clinic_timezone):
        problems.append("CLINIC_TIMEZONE must be an IANA time zone such as America/New_York")
    outbox_dir = Path(env.get("OUTBOX_DIR") or instance_dir / "outbox")
    notify_email = env.get("NOTIFY_EMAIL") or from_email
    if "@" not in notify_email or any(c in notify_email for c in " \r\n<>,"):
        problems.append("NOTIFY_EMAIL must be one plain email address, where consultation requests go")
    origins = checks.origins(env.get("EMBED_ALLOWED_ORIGINS", ""), problems)
    utm_params = checks.utm_params(env.get("UTM_PARAMS") or "utm_source=nurture&utm_medium=email", problems)
    check_deliverability = checks.flag(env, "EMAIL_CHECK_DELIVERABILITY", problems)
    proxies = env.get("TRUSTED_PROXY_COUNT") or "0"
    if not proxies.isdigit() or int(proxies) > 5:
        problems.append("TRUSTED_PROXY_COUNT must be a whole number from 0 to 5")

    api_rate_limit = env.get("API_RATE_LIMIT") or "600 per minute"
    if not checks.is_rate_limit(api_rate_limit):
        problems.append("API_RATE_LIMIT must read like '600 per minute' or '10 per second;5000 per hour'")
    disclosures = {name: env.get(name.upper(), "") for name in DISCLOSURES}
    for name, value in disclosures.items():
        if any(c in value for c in "\r\n") or len(value) > 300:
            problems.append(f"{name.upper()} must be one line of at most 300 characters")

    if problems:
        raise SettingsError(problems)
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key=secret_key,
        secret_key_fallbacks=fallbacks,
        public_base_url=public_base_url.rstrip("/"),
        port=port,
        email_backend=email_backend,
        sendgrid_api_key=sendgrid_key,
        sendgrid_api_host=sendgrid_host,
        sendgrid_webhook_public_key=webhook_key,
        smtp_url=smtp_url,
        from_email=from_email,
        from_name=from_name,
        postal_address=postal_address,
        clinic_timezone=clinic_timezone,
        outbox_dir=outbox_dir,
        instance_dir=instance_dir,
        local_mode=local,
        notify_email=notify_email,
        utm_params=utm_params,
        embed_allowed_origins=origins,
        check_deliverability=check_deliverability,
        trusted_proxy_count=int(proxies) if proxies.isdigit() else 0,
        api_rate_limit=api_rate_limit,
        **disclosures,
    )


def _local_secret_key(instance_dir: Path) -> str:
    """Read, or create once, the secret key kept under `instance/` in local mode."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of `make run` wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
