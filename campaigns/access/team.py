"""The admin's users: add, change role, deactivate and reactivate, and set passwords.

Every change that takes power away (a new password, another role, deactivation) ends the user's
other sign-in sessions at once, so nobody keeps what they no longer should have.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from campaigns.access.sessions import end_user_sessions
from campaigns.accounts import check_password, create_user, generate_password, normalize_login_email
from campaigns.errors import ValidationError
from campaigns.models import User
from campaigns.statuses import Role
from campaigns.tokens import InvalidToken, sign, unsign

SET_PASSWORD_LINK_AGE = timedelta(days=3)
"""How long a set-password link works (once)."""

_PURPOSE = "set-password"


def add_user(session: Session, email: str, role: Role, now: datetime) -> User:
    """Add a user who cannot sign in until a password is set (by link, or shown once)."""
    return create_user(session, email, role, secrets.token_urlsafe(32), now)


def list_users(session: Session) -> list[User]:
    """Return every user, active ones first, by email."""
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.email)))


def _active_admins(session: Session) -> int:
    query = select(func.count(User.id)).where(User.role == Role.ADMIN, User.is_active.is_(True))
    return session.scalar(query) or 0


def _keep_an_admin(session: Session, user: User) -> None:
    if user.role == Role.ADMIN and user.is_active and _active_admins(session) <= 1:
        raise ValidationError(f"{user.email} is the only active admin; make someone else an admin first")


def change_role(session: Session, user: User, role: Role, now: datetime) -> bool:
    """Give `user` another role and end their sessions; return False if it was already theirs."""
    if user.role == role:
        return False
    if role != Role.ADMIN:
        _keep_an_admin(session, user)
    user.role = role
    end_user_sessions(session, user.id, now, "role changed")
    return True


def deactivate(session: Session, user: User, now: datetime) -> None:
    """Stop `user` from signing in, and sign them out everywhere at once."""
    _keep_an_admin(session, user)
    user.is_active = False
    end_user_sessions(session, user.id, now, "deactivated")


def reactivate(user: User) -> None:
    """Let a deactivated user sign in again (with their old password, or a new one)."""
    user.is_active = True


def change_password(
    session: Session, user: User, password: str, now: datetime, keep_token: str | None = None
) -> None:
    """Set a new password; end every other session (all but `keep_token`'s, if given)."""
    check_password(password)
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = now
    end_user_sessions(session, user.id, now, "password changed", keep_token)


def reset_password(session: Session, user: User, now: datetime) -> str:
    """Give `user` a new random password (returned once, never stored in clear); sign them out."""
    password = generate_password()
    change_password(session, user, password, now)
    return password


def password_is(user: User, password: str) -> bool:
    """Tell whether `password` is the user's current one."""
    return check_password_hash(user.password_hash, password)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def set_password_token(secret_key: str, user: User, now: datetime) -> str:
    """Return a signed token for a set-password link; it is spent once the password changes."""
    return sign(secret_key, _PURPOSE, [user.id, _fingerprint(user)], now)


def user_of_set_password_token(session: Session, secret_key: str, token: str, now: datetime) -> User:
    """Return the active user a set-password link is for, or raise InvalidToken (forged, used, old)."""
    if len(token) > 300:
        raise InvalidToken()
    payload = unsign(secret_key, _PURPOSE, token, SET_PASSWORD_LINK_AGE, now)
    if not (isinstance(payload, list) and len(payload) == 2 and type(payload[0]) is int):
        raise InvalidToken()
    user = session.get(User, payload[0])
    if user is None or not user.is_active or payload[1] != _fingerprint(user):
        raise InvalidToken()
    return user


def find_user(session: Session, email: str) -> User | None:
    """Return the user with this email, if any."""
    return session.scalar(select(User).where(User.email == normalize_login_email(email)))
