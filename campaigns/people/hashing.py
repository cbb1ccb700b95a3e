"""The keyed hash an erased address is remembered by: nobody can read it, everyone can match it."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Suppression
from campaigns.tokens import Keys  # an erased address stays matched through a SECRET_KEY rotation


def _all(keys: Keys) -> list[str]:
    return [keys] if isinstance(keys, str) else list(keys)


def address_hash(secret_key: str, email: str) -> str:
    """Return the HMAC-SHA256 of a normalized address under a key of its own, as hex."""
    key = hashlib.sha256(f"nurture.erased-address\x00{secret_key}".encode()).digest()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()


def erased_suppression(session: Session, keys: Keys, email: str) -> Suppression | None:
    """Return the suppression that remembers `email` as erased, if there is one."""
    digests = [address_hash(key, email) for key in _all(keys)]
    return session.scalars(select(Suppression).where(Suppression.email_hash.in_(digests))).first()


def erased_among(session: Session, keys: Keys, emails: Iterable[str]) -> set[str]:
    """Return which of these addresses were erased and so may not be added back by import or API."""
    emails = list(emails)
    hashes = {address_hash(key, email): email for key in _all(keys) for email in emails}
    if not hashes:
        return set()
    found = session.scalars(select(Suppression.email_hash).where(Suppression.email_hash.in_(list(hashes))))
    return {hashes[digest] for digest in found if digest}


def forget_erasure(session: Session, keys: Keys, email: str) -> bool:
    """Drop the erased hash of `email`: the person signed up again and confirmed. Tell whether one went."""
    suppression = erased_suppression(session, keys, email)
    if suppression is None:
        return False
    session.delete(suppression)
    return True
