"""Two-factor sign-in with a TOTP app (pyotp), and one-use recovery codes for a lost phone."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from campaigns.errors import ValidationError
from campaigns.models import RecoveryCode, User

RECOVERY_CODES = 10
"""How many recovery codes a user gets when two-factor sign-in is turned on."""

ISSUER = "Nurture admin"


def new_secret() -> str:
    """Return a new base32 TOTP secret."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, clinic_name: str) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=f"{clinic_name} ({ISSUER})"[:100])


def code_matches(secret: str, code: str, now: datetime) -> bool:
    """Tell whether `code` is the app's code at `now` (or 30 seconds either side)."""
    digits = code.replace(" ", "")
    return (
        len(digits) == 6
        and digits.isdigit()
        and pyotp.TOTP(secret).verify(digits, for_time=now, valid_window=1)
    )


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _new_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


def turn_on(session: Session, user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Turn two-factor sign-in on once the app shows the right code; return recovery codes (shown once)."""
    if not code_matches(secret, code, now):
        raise ValidationError("That code does not match. Check the app's time and try the newest code.")
    user.totp_secret = secret
    return new_recovery_codes(session, user)


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; return them in clear, once."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def turn_off(session: Session, user: User) -> None:
    """Turn two-factor sign-in off and forget the recovery codes."""
    user.totp_secret = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def check_second_factor(session: Session, user: User, code: str, now: datetime) -> str | None:
    """Return which kind of code this was if it is good, else None; a recovery code is spent."""
    if user.totp_secret and code_matches(user.totp_secret, code, now):
        return "app code"
    wanted = _hash(code)
    for stored in session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        if hmac.compare_digest(stored.code_hash, wanted):
            stored.used_at = now
            return "recovery code"
    return None


def recovery_codes_left(session: Session, user: User) -> int:
    """Return how many unused recovery codes the user has."""
    return len(
        session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )
