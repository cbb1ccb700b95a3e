"""The email that lets a new user choose their password (or a user whose password was reset)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from campaigns.access.team import set_password_token
from campaigns.composing import Sender
from campaigns.models import User
from campaigns.notices import notice
from campaigns.providers import Provider


def set_password_url(sender: Sender, user: User, now: datetime) -> str:
    """Return the one-time link at which `user` chooses a password."""
    return f"{sender.public_base_url}/admin/set-password/{set_password_token(sender.secret_key, user, now)}"


def send_set_password_email(
    session: Session, user_id: int, inviter: str, sender: Sender, provider: Provider, now: datetime
) -> str:
    """Email the user their set-password link; return what the provider did with it."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return "skipped"
    context = {
        "clinic_name": sender.clinic_name,
        "inviter": inviter,
        "role": user.role.value,
        "role_article": "an" if user.role.value[0] in "aeiou" else "a",
        "link": set_password_url(sender, user, now),
        "login_url": f"{sender.public_base_url}/admin/login",
        "email": user.email,
    }
    email = notice("set_password", user.email, context, sender, now, user.id)
    return provider.send_many([email])[0].status
