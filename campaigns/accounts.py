"""Admin users: create them, check their passwords."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from campaigns.errors import ValidationError
from campaigns.models import User
from campaigns.statuses import Role

MIN_PASSWORD_LENGTH = 12
# Checked when an unknown email signs in, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password")


def generate_password() -> str:
    """Return a new random password that is easy to copy."""
    return secrets.token_urlsafe(15)


def normalize_login_email(email: str) -> str:
    """Return the email as users are keyed by: trimmed and lower-cased."""
    return email.strip().lower()


def create_user(session: Session, email: str, role: Role, password: str, now: datetime) -> User:
    """Create a user, refusing a malformed email, a short password or a taken address."""
    email = normalize_login_email(email)
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise ValidationError(f"{email!r} is not an email address")
    check_password(password)
    if session.scalar(select(User.id).where(User.email == email)):
        raise ValidationError(f"a user with the email {email} already exists")
    user = User(email=email, role=role, password_hash=generate_password_hash(password), created_at=now)
    session.add(user)
    session.flush()
    return user


def check_password(password: str) -> None:
    """Refuse a password too short to be safe."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def authenticate(session: Session, email: str, password: str, now: datetime) -> User | None:
    """Return the active user with this email and password, recording the login, else None."""
    # No stored address holds a NUL, and PostgreSQL would refuse to even compare one.
    user = None
    if "\x00" not in email:
        user = session.scalar(select(User).where(User.email == normalize_login_email(email)))
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = now
    return user


def count_users(session: Session) -> int:
    """Return how many users exist."""
    return session.scalar(select(func.count(User.id))) or 0
