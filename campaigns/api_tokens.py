"""Bearer tokens for the JSON API: shown once when made, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.errors import ValidationError
from campaigns.models import ApiToken

SCOPES = ("read", "write")
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
    if record is None:
        raise ValidationError(f"there is no API token {token_id}")
    record.revoked_at = now
    return record
