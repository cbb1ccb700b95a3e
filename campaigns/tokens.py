"""Signed tokens for links in emails: each purpose has its own salt, so one cannot pass as another.

Age is judged against the `now` the caller passes, like every other time in the domain.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from campaigns.errors import NurtureError


class InvalidToken(NurtureError):
    """The token is forged, malformed, for another purpose, or expired (then its payload is known)."""

    def __init__(self, expired: bool = False, payload: Any = None) -> None:
        self.expired = expired
        self.payload = payload
        super().__init__("expired link" if expired else "invalid link")


def _serializer(secret_key: str, purpose: str, now: datetime | None = None) -> URLSafeTimedSerializer:
    """Return the serializer for `purpose`, whose signatures are stamped with `now` when given."""

    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp()) if now else super().get_timestamp()

    return URLSafeTimedSerializer(secret_key, salt=f"nurture.{purpose}", signer=Signer)


def sign(secret_key: str, purpose: str, payload: Any, now: datetime | None = None) -> str:
    """Sign `payload` for `purpose`, stamped with `now`."""
    return _serializer(secret_key, purpose, now).dumps(payload)


def unsign(
    secret_key: str, purpose: str, token: str, max_age: timedelta | None = None, now: datetime | None = None
) -> Any:
    """Return the payload of a token made by `sign`, or raise InvalidToken."""
    try:
        payload, signed_at = _serializer(secret_key, purpose).loads(token, return_timestamp=True)
    except (BadSignature, ValueError, TypeError) as exc:
        raise InvalidToken() from exc
    if max_age is not None and now is not None and now - signed_at > max_age:
        raise InvalidToken(expired=True, payload=payload)
    return payload
