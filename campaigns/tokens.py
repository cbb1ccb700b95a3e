"""Signed tokens for links in emails: each purpose has its own key, so one cannot pass as another.

A token is `<payload>.<issued>.<signature>`: the JSON payload and the issue time in unpadded
URL-safe base64, signed with HMAC-SHA256 under a key derived from the secret and the purpose.
Tokens are cheap to make, since every email carries several, and age is judged against the
`now` the caller passes, like every other time in the domain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from campaigns.errors import NurtureError

SIGNATURE_BYTES = 16
MAX_TOKEN_LENGTH = 400  # a longer "token" is not ours: refused before any work


class InvalidToken(NurtureError):
    """The token is forged, malformed, for another purpose, or expired (then its payload is known)."""

    def __init__(self, expired: bool = False, payload: Any = None) -> None:
        self.expired = expired
        self.payload = payload
        super().__init__("expired link" if expired else "invalid link")


@lru_cache(maxsize=64)
def _key(secret_key: str, purpose: str) -> bytes:
    return hashlib.sha256(f"nurture.{purpose}\x00{secret_key}".encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=64)
def _keyed(secret_key: str, purpose: str) -> hmac.HMAC:
    return hmac.new(_key(secret_key, purpose), digestmod=hashlib.sha256)


def _signature(secret_key: str, purpose: str, signed: str) -> str:
    mac = _keyed(secret_key, purpose).copy()  # the key is hashed in once, not for every token
    mac.update(signed.encode())
    return _b64(mac.digest()[:SIGNATURE_BYTES])


@lru_cache(maxsize=16)
def _stamp(issued: int) -> str:
    return _b64(issued.to_bytes(5, "big"))  # a batch signs every link with one `now`


def _json(payload: Any) -> str:
    if type(payload) is list and all(type(v) is int for v in payload):
        return f"[{','.join(map(str, payload))}]"  # what json.dumps writes, without its machinery
    return json.dumps(payload, separators=(",", ":"))


def sign(secret_key: str, purpose: str, payload: Any, now: datetime | None = None) -> str:
    """Sign `payload` for `purpose`, stamped with `now`."""
    issued = int((now or datetime.now(UTC)).timestamp())
    signed = f"{_b64(_json(payload).encode())}.{_stamp(issued)}"
    return f"{signed}.{_signature(secret_key, purpose, signed)}"


def sign_ids(secret_key: str, purpose: str, ids: list[int], now: datetime) -> str:
    """Sign a list of ids, as `sign` would: the form every link in an email takes, made quickly."""
    body = "[" + ",".join(map(str, ids)) + "]"
    signed = f"{_b64(body.encode())}.{_stamp(int(now.timestamp()))}"
    return f"{signed}.{_signature(secret_key, purpose, signed)}"


def unsign(
    secret_key: str, purpose: str, token: str, max_age: timedelta | None = None, now: datetime | None = None
) -> Any:
    """Return the payload of a token made by `sign`, or raise InvalidToken."""
    signed, _, signature = token.rpartition(".")
    expected = _signature(secret_key, purpose, signed) if signed else ""
    if not signed or not hmac.compare_digest(signature.encode(), expected.encode()):
        raise InvalidToken()
    try:
        body, issued_text = signed.split(".")
        payload = json.loads(_unb64(body))
        issued = datetime.fromtimestamp(int.from_bytes(_unb64(issued_text), "big"), UTC)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken() from exc
    if max_age is not None and now is not None and now - issued > max_age:
        raise InvalidToken(expired=True, payload=payload)
    return payload


def issued_at(token: str) -> datetime:
    """Return when a token that `unsign` accepted was made."""
    issued_text = token.split(".")[1]
    return datetime.fromtimestamp(int.from_bytes(_unb64(issued_text), "big"), UTC)


def _is_ids(payload: Any, count: int) -> bool:
    return isinstance(payload, list) and len(payload) == count and all(type(v) is int for v in payload)


def unsign_ids(
    secret_key: str,
    purpose: str,
    token: str,
    count: int,
    max_age: timedelta | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Return the `count` ids a link's token carries, or raise InvalidToken (its payload set if expired)."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken()
    try:
        payload = unsign(secret_key, purpose, token, max_age, now)
    except InvalidToken as error:
        if error.expired and not _is_ids(error.payload, count):
            raise InvalidToken() from error
        raise
    if not _is_ids(payload, count):
        raise InvalidToken()
    return [int(value) for value in payload]
