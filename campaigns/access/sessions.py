"""Sign-in sessions kept in the database, so that ending one signs that browser out at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.models import SignInSession, User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session, user: User, ip_address: str | None, user_agent: str | None, now: datetime
) -> str:
    """Open a sign-in session for `user`; return its token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    record = SignInSession(
        user_id=user.id,
        token_hash=_hash(token),
        created_at=now,
        ip_address=(ip_address or "")[:45] or None,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(record)
    session.flush()
    return token


def find_session(session: Session, token: str) -> SignInSession | None:
    """Return the open session for `token` whose user is still active, else None."""
    if not token or len(token) > 100:
        return None
    record = session.scalar(
        select(SignInSession).where(
            SignInSession.token_hash == _hash(token), SignInSession.ended_at.is_(None)
        )
    )
    if record is None:
        return None
    user = session.get(User, record.user_id)
    return record if user is not None and user.is_active else None


def end_session(session: Session, token: str, now: datetime, reason: str = "signed out") -> None:
    """End the session for `token`, if it is open."""
    session.execute(
        update(SignInSession)
        .where(SignInSession.token_hash == _hash(token), SignInSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


def end_user_sessions(
    session: Session, user_id: int, now: datetime, reason: str, keep_token: str | None = None
) -> int:
    """End every open session of the user but the one for `keep_token`; return how many ended."""
    statement = update(SignInSession).where(
        SignInSession.user_id == user_id, SignInSession.ended_at.is_(None)
    )
    if keep_token:
        statement = statement.where(SignInSession.token_hash != _hash(keep_token))
    result = session.execute(statement.values(ended_at=now, end_reason=reason[:40]))
    return int(getattr(result, "rowcount", 0) or 0)


def open_sessions(session: Session, user_id: int) -> list[SignInSession]:
    """Return the user's open sessions, newest first."""
    return list(
        session.scalars(
            select(SignInSession)
            .where(SignInSession.user_id == user_id, SignInSession.ended_at.is_(None))
            .order_by(SignInSession.created_at.desc())
        )
    )
