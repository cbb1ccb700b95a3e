"""Bearer tokens for the JSON API: shown once when made, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.errors import ValidationError
from campaigns.models import ApiToken

SCOPES = ("read", "write", "subscribe")
"""read: read everything; write: read and change; subscribe: only add subscribers (a website's form)."""

GRANTS = {"read": {"read", "write"}, "write": {"write"}, "subscribe": {"subscribe", "write"}}
"""For each scope an endpoint needs, the token scopes that carry it."""

PREFIX = "nt_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, scope: str, now: datetime, user_id: int | None = None) -> str:
    """Create a token and return it; this is the only time it is seen in full."""
    if scope not in SCOPES:
        raise ValidationError(f"the scope must be one of {', '.join(SCOPES)}")
    if not name.strip() or len(name) > 100:
        raise ValidationError("give the token a name of 1 to 100 characters, such as 'booking tool'")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            name=name.strip(), token_hash=_digest(token), scope=scope, created_by_id=user_id, created_at=now
        )
    )
    session.flush()
    return token


def token_digest(token: str) -> str:
    """Return the stored form of a presented token (also the rate limiter's key for it)."""
    return _digest(token)


def grants(token: ApiToken, needed: str) -> bool:
    """Tell whether the token's scope carries the scope an endpoint needs."""
    return token.scope in GRANTS.get(needed, set())


def list_tokens(session: Session) -> list[ApiToken]:
    """Return every token, newest first, revoked ones too (their hashes only)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def authenticate_token(session: Session, token: str, now: datetime) -> ApiToken | None:
    """Return the live token record for a presented token, recording its use, or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if record is None or record.revoked_at is not None:
        return None
    record.last_used_at = now
    return record


def revoke_token(session: Session, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token at once."""
    record = session.get(ApiToken, token_id)
    if record is None or record.revoked_at is not None:
        raise ValidationError(f"there is no live API token {token_id}")
    record.revoked_at = now
    return record
