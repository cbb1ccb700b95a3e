"""Signed tokens for links in emails: each purpose has its own salt, so one cannot pass as another."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from campaigns.errors import NurtureError


class InvalidToken(NurtureError):
    """The token is forged, malformed, for another purpose, or expired."""

    def __init__(self, expired: bool = False) -> None:
        self.expired = expired
        super().__init__("expired link" if expired else "invalid link")


def sign(secret_key: str, purpose: str, payload: Any) -> str:
    """Sign `payload` for `purpose`."""
    return URLSafeTimedSerializer(secret_key, salt=f"nurture.{purpose}").dumps(payload)


def unsign(secret_key: str, purpose: str, token: str, max_age_s: int | None = None) -> Any:
    """Return the payload of a token made by `sign`, or raise InvalidToken."""
    serializer = URLSafeTimedSerializer(secret_key, salt=f"nurture.{purpose}")
    try:
        return serializer.loads(token, max_age=max_age_s)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
